import { ConflictException, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { ACTIVE_SESSION_STATES, assertTransition, RUNTIME_SESSION_STATES, SessionState, SLOT_HOLDING_STATES, statesThatMayBecome, TERMINAL_SESSION_STATES } from '@trialhub/contracts';
import { SessionEntity, SessionEventEntity } from '../database/entities';
import { queryRows } from '../database/query-rows';
import { logTransition } from '../sessions/session-lifecycle-log';
import { SqlParams } from './sql-params';

export interface TransitionInput {
  to: SessionState;
  /** Short machine reason (`ImagePullBackOff`, `max-runtime`, `user`). */
  reason?: string | null;
  /** Sentence for the user's event history. */
  message: string;
  /** Other columns that change with the state (timestamps, endpoint, reason text). */
  patch?: Partial<SessionEntity>;
}

/** A set-based move: every session in one of `from` that matches `where` goes to `to`, with its event. */
export interface BulkTransition {
  from: readonly SessionState[];
  to: SessionState;
  reason: string;
  message: string;
  /** Extra condition on `s` (the session being moved); add parameters through `p`. */
  where: (p: SqlParams) => string;
  /** Extra assignments (`started_at = now()`), parameters through `p`. */
  set?: (p: SqlParams) => string;
  /** Reason text shown with the new state (NULL clears it). */
  reasonText?: string | null;
}

interface MovedRow {
  id: string;
  user_id: string;
  trial_id: string;
  from_state: SessionState;
}

/**
 * The only place that writes the `sessions` table (and its events). Decisions live in the
 * services under sessions/; this holds the SQL. Every state change checks the contracts'
 * transition table and writes its event in the same statement or transaction.
 */
@Injectable()
export class SessionsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  findById(id: string, manager: EntityManager = this.manager, lock = false): Promise<SessionEntity | null> {
    return manager.findOne(SessionEntity, { where: { id }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
  }

  countActiveOf(userId: string, manager: EntityManager): Promise<number> {
    return manager.count(SessionEntity, { where: { userId, state: In([...ACTIVE_SESSION_STATES]) } });
  }

  /** A launch: the `queued` row and its first event. */
  async createQueued(manager: EntityManager, fields: Pick<SessionEntity, 'userId' | 'trialId' | 'profileName'>, message: string): Promise<SessionEntity> {
    const created = await manager.save(manager.create(SessionEntity, { ...fields, state: 'queued', queuedAt: new Date() }));
    await manager.insert(SessionEventEntity, { sessionId: created.id, fromState: null, toState: 'queued', reason: 'launch', message });
    logTransition({ sessionId: created.id, userId: created.userId, trialId: created.trialId, from: null, to: 'queued', reason: 'launch' });
    return created;
  }

  /**
   * The one function that changes one session's state: checks the transition table, updates the
   * row only if it is still in the state the caller saw (so concurrent writers cannot both win),
   * and writes the event in the same transaction.
   */
  async transition(manager: EntityManager, session: SessionEntity, input: TransitionInput): Promise<SessionEntity> {
    const from = session.state;
    assertTransition(from, input.to);
    const changes: Partial<SessionEntity> = { ...input.patch, state: input.to };
    if (input.reason !== undefined && !('reasonCode' in (input.patch ?? {}))) changes.reasonCode = input.reason;
    const result = await manager.createQueryBuilder().update(SessionEntity).set(changes as never).where('id = :id AND state = :from', { id: session.id, from }).execute();
    if (!result.affected) throw new ConflictException(`The session changed meanwhile (it is no longer ${from}); reload and try again.`);
    await manager.insert(SessionEventEntity, { sessionId: session.id, fromState: from, toState: input.to, reason: input.reason ?? null, message: input.message });
    Object.assign(session, changes);
    const msToReady = input.to === 'ready' && session.readyAt ? session.readyAt.getTime() - session.queuedAt.getTime() : undefined;
    logTransition({ sessionId: session.id, userId: session.userId, trialId: session.trialId, from, to: input.to, reason: input.reason ?? null, msToReady });
    return session;
  }

  /**
   * Many sessions at once (deadlines, admission): one statement moves the rows and writes their
   * events. `from` is checked against the transition table before any SQL runs.
   */
  async transitionMany(manager: EntityManager, move: BulkTransition): Promise<string[]> {
    const from = statesThatMayBecome(move.to, move.from);
    const p = new SqlParams();
    const to = p.add(move.to);
    const reason = p.add(move.reason);
    const fromList = p.add(from);
    const sql = `WITH moved AS (
        UPDATE sessions s SET state = ${to}, reason_code = ${reason}, reason = ${p.add(move.reasonText ?? null)}::text${move.set ? `, ${move.set(p)}` : ''}
        FROM sessions old WHERE old.id = s.id AND s.state = ANY(${fromList}::text[]) AND (${move.where(p)})
        RETURNING s.id, s.user_id, s.trial_id, old.state AS from_state),
      ev AS (INSERT INTO session_events (session_id, from_state, to_state, reason, message) SELECT id, from_state, ${to}, ${reason}, ${p.add(move.message)} FROM moved)
      SELECT id, user_id, trial_id, from_state FROM moved`;
    const rows = queryRows<MovedRow>(await manager.query(sql, p.values));
    for (const r of rows) logTransition({ sessionId: r.id, userId: r.user_id, trialId: r.trial_id, from: r.from_state, to: move.to, reason: move.reason });
    return rows.map((r) => r.id);
  }

  /** An event without a state change (progress, warnings, queue position news). */
  async recordEvent(sessionId: string, message: string, reason: string | null = null, manager: EntityManager = this.manager): Promise<void> {
    await manager.insert(SessionEventEntity, { sessionId, fromState: null, toState: null, reason, message });
  }

  /** Sessions of a profile that hold one of its capacity slots (the rule: `SLOT_HOLDING_STATES`). */
  async countSlotHolders(manager: EntityManager, profileName: string): Promise<number> {
    const [{ used }] = await manager.query(`SELECT count(*)::int AS used FROM sessions WHERE profile_name = $1 AND state = ANY($2::text[])`, [profileName, SLOT_HOLDING_STATES]);
    return used;
  }

  /** Takes the session's lease (`FOR UPDATE SKIP LOCKED`); null when another replica holds it. */
  async claim(id: string, replicaId: string, leaseMs: number): Promise<SessionEntity | null> {
    const rows = queryRows<{ id: string }>(
      await this.dataSource.query(
        `UPDATE sessions SET claimed_by = $2, claimed_until = now() + ($3::bigint * interval '1 millisecond')
         WHERE id IN (SELECT id FROM sessions WHERE id = $1 AND (claimed_until IS NULL OR claimed_until < now() OR claimed_by = $2) FOR UPDATE SKIP LOCKED)
         RETURNING id`,
        [id, replicaId, leaseMs],
      ),
    );
    return rows.length ? this.findById(id) : null;
  }

  async release(id: string, replicaId: string, nextCheckInMs: number | null): Promise<void> {
    await this.dataSource.query(
      `UPDATE sessions SET claimed_by = NULL, claimed_until = NULL, next_check_at = CASE WHEN $3::bigint IS NULL THEN NULL ELSE now() + ($3::bigint * interval '1 millisecond') END WHERE id = $1 AND claimed_by = $2`,
      [id, replicaId, nextCheckInMs],
    );
  }

  /** Sessions in `states` whose next check is due and that no replica holds. */
  async dueIds(states: readonly SessionState[], limit: number): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `SELECT id FROM sessions WHERE state = ANY($1::text[])
         AND (next_check_at IS NULL OR next_check_at <= now()) AND (claimed_until IS NULL OR claimed_until < now())
       ORDER BY queued_at LIMIT $2`,
      [states, limit],
    );
    return rows.map((r) => r.id);
  }

  /** Every session that may have objects in the runtime (for the restart triage). */
  findWithRuntimeObjects(): Promise<SessionEntity[]> {
    return this.manager.find(SessionEntity, { where: { state: In([...RUNTIME_SESSION_STATES]) } });
  }

  /** Of `ids`, those the database knows as not finished. */
  async unfinishedAmong(ids: string[]): Promise<Set<string>> {
    const rows: Array<{ id: string }> = await this.dataSource.query(`SELECT id::text FROM sessions WHERE id::text = ANY($1) AND NOT (state = ANY($2::text[]))`, [ids, TERMINAL_SESSION_STATES]);
    return new Set(rows.map((r) => r.id));
  }

  /** The proxy saw traffic: the idle timeout counts from now. */
  async touchActivity(sessionId: string): Promise<void> {
    await this.dataSource.query(`UPDATE sessions SET last_activity_at = now() WHERE id = $1 AND state = $2`, [sessionId, 'ready']);
  }

  /** Admin: new limits for sessions not yet finished (the next deadline pass applies them). */
  async setLimitsOfUnfinished(manager: EntityManager, maxRuntimeMs: number | null, idleTimeoutMs: number | null): Promise<number> {
    const states = ACTIVE_SESSION_STATES.filter((s) => s !== 'stopping');
    return queryRows(
      await manager.query(
        `UPDATE sessions SET max_runtime_ms = COALESCE($1::bigint, max_runtime_ms), idle_timeout_ms = COALESCE($2::bigint, idle_timeout_ms) WHERE state = ANY($3::text[]) RETURNING id`,
        [maxRuntimeMs, idleTimeoutMs, states],
      ),
    ).length;
  }
}
