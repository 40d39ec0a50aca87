import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { DataSource, EntityManager } from 'typeorm';
import type { SessionState } from '@trialhub/contracts';
import { AuditService, SYSTEM_ACTOR } from '../audit/audit.service';
import { AppConfig } from '../config/app-config';
import { ProfileEntity, SessionEntity, TrialEntity, WorkspaceEntity } from '../database/entities';
import { settleWithLimit } from '../common/map-limit';
import { queryRows } from '../database/query-rows';
import { isTransientDatabaseError } from '../database/transient-errors';
import { QuotasService } from '../quotas/quotas.service';
import { SESSION_RUNTIME, SessionRuntime, TransientRuntimeError } from '../runtime/session-runtime';
import { ReconcilerSignal } from './reconciler-signal';
import { SessionMetrics } from './session-metrics';
import { decide } from './session-observation';
import { buildSessionSpec } from './session-spec';
import { SessionTokens } from './session-tokens';
import { applyTransition, recordSessionEvent } from './session-transitions';
import { WorkQueue } from './work-queue';

/** A session starting that the runtime has not seen for this long is reported lost. */
const LOST_AFTER_MS = 60_000;
/** Trials whose workspaces one teardown round claims. */
const TEARDOWN_BATCH = 500;
/** How long one termination call may block a worker before it is retried on a later pass. */
const TERMINATE_WAIT_MS = 20_000;

/**
 * The control loop (DESIGN.md): the API records intent, this makes the world match it.
 * Work is claimed with leases taken by `UPDATE … FOR UPDATE SKIP LOCKED`, so several
 * replicas share it and never act on one session at the same time.
 */
@Injectable()
export class SessionReconciler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Reconciler');
  readonly replicaId = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  private readonly queue: WorkQueue;
  private timer: NodeJS.Timeout | undefined;
  private gcTimer: NodeJS.Timeout | undefined;
  private unwatch: (() => void) | undefined;
  private passRunning = false;
  private passAgain = false;
  private stopped = false;
  private readonly leaseMs: number;
  /** The state each session had when this replica last stepped it (see onObservation). */
  private readonly lastSeen = new Map<string, SessionState>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SESSION_RUNTIME) private readonly runtime: SessionRuntime,
    private readonly config: AppConfig,
    private readonly quotas: QuotasService,
    private readonly tokens: SessionTokens,
    private readonly signal: ReconcilerSignal,
    private readonly metrics: SessionMetrics,
    private readonly audit: AuditService,
  ) {
    this.leaseMs = Math.max(5000, config.schedulerIntervalMs * 10);
    // Most of a step is waiting on the API server (a pod to go, a create to answer), not CPU: many run at once.
    this.queue = new WorkQueue(128, (id) => this.processSession(id));
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.runtime.start();
    this.unwatch = this.runtime.watch((obs) => this.onObservation(obs.sessionId));
    this.signal.onWake(() => void this.pass());
    await this.triageOpenSessions();
    this.timer = setInterval(() => void this.pass(), Math.min(1000, this.config.schedulerIntervalMs));
    this.gcTimer = setInterval(() => void this.collectGarbage(), Math.max(2000, this.config.schedulerIntervalMs * 20));
    void this.pass();
    void this.collectGarbage();
  }

  /**
   * After a restart: compare every session that may hold runtime resources, whoever last drove it,
   * with what the runtime reports (its cache is warm once `start` returns), and queue only those
   * with something to do. 10,000 healthy sessions cost one query, not 10,000 claims.
   */
  private async triageOpenSessions(): Promise<void> {
    const open = await this.dataSource.manager
      .createQueryBuilder(SessionEntity, 's')
      .where(`s.state IN ('provisioning','starting','ready','stopping') OR (s.state = 'queued' AND s.reason_code = 'Unschedulable')`)
      .getMany();
    const now = Date.now();
    for (const s of open) {
      const actionable =
        s.state === 'provisioning' ||
        s.state === 'stopping' ||
        decide(s.state, this.runtime.observe(s.id), now - (s.startedAt?.getTime() ?? s.queuedAt.getTime()), LOST_AFTER_MS).kind !== 'none';
      if (actionable) this.queue.add(s.id);
    }
    // Starting sessions with nothing new are looked at again by `enqueueDue` when their check is due.
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearInterval(this.gcTimer);
    this.unwatch?.();
    await this.queue.drain();
    await this.runtime.shutdown();
  }

  /** One pass: deadlines, admission, due work, trial teardown. Re-entrant calls coalesce. */
  async pass(): Promise<void> {
    if (this.stopped) return;
    if (this.passRunning) {
      this.passAgain = true;
      return;
    }
    this.passRunning = true;
    try {
      do {
        this.passAgain = false;
        await this.enforceDeadlines();
        await this.admit();
        await this.enqueueDue();
        await this.tearDownEndedTrials();
      } while (this.passAgain && !this.stopped);
    } catch (err) {
      if (!this.stopped) this.logger.error({ err }, 'Reconcile pass failed; retrying');
    } finally {
      this.passRunning = false;
    }
  }

  /** Stops sessions past their maximum runtime, idle timeout or trial. Set-based, so 10,000 expiries cost a few statements. */
  async enforceDeadlines(): Promise<void> {
    const q = await this.quotas.current();
    const moved = [
      ...(await this.moveToStopping(
        `s.state IN ('provisioning','starting','ready') AND COALESCE(s.ready_at, s.started_at) + (COALESCE(s.max_runtime_ms, $1::bigint) * interval '1 millisecond') <= now()`,
        [q.sessionMaxRuntimeMs], 'max-runtime', 'Stopping: the session reached its maximum runtime',
      )),
      ...(await this.moveToStopping(
        `s.state = 'ready' AND COALESCE(s.last_activity_at, s.ready_at) + (COALESCE(s.idle_timeout_ms, $1::bigint) * interval '1 millisecond') <= now()`,
        [q.idleTimeoutMs], 'idle', 'Stopping: the notebook was idle too long',
      )),
      ...(await this.moveToStopping(
        `(s.state IN ('provisioning','starting','ready') OR (s.state = 'queued' AND s.reason_code = 'Unschedulable')) AND EXISTS (SELECT 1 FROM trials t WHERE t.id = s.trial_id AND (t.state = 'ended' OR t.expires_at <= now()))`,
        [], 'trial-ended', 'Stopping: the trial has ended',
      )),
    ];
    // Queued sessions of ended trials never started: they stop at once.
    await this.dataSource.query(
      `WITH moved AS (
         UPDATE sessions s SET state = 'stopped', stopped_at = now(), stop_reason = 'trial-ended', reason_code = 'trial-ended', reason = NULL
         WHERE s.state = 'queued' AND s.reason_code IS DISTINCT FROM 'Unschedulable'
           AND EXISTS (SELECT 1 FROM trials t WHERE t.id = s.trial_id AND (t.state = 'ended' OR t.expires_at <= now()))
         RETURNING s.id)
       INSERT INTO session_events (session_id, from_state, to_state, reason, message) SELECT id, 'queued', 'stopped', 'trial-ended', 'Stopped: the trial ended before the session started' FROM moved`,
    );
    for (const id of moved) this.queue.add(id);
  }

  /** Moves matching sessions to `stopping` with their events, in one statement (the transition table allows each of these moves). */
  private async moveToStopping(where: string, params: unknown[], reason: string, message: string): Promise<string[]> {
    const n = params.length;
    const rows = queryRows<{ id: string }>(
      await this.dataSource.query(
        `WITH moved AS (
           UPDATE sessions s SET state = 'stopping', stop_reason = $${n + 1}, reason_code = $${n + 1}, reason = NULL, next_check_at = NULL
           FROM sessions old WHERE old.id = s.id AND ${where}
           RETURNING s.id, old.state AS from_state),
         ev AS (INSERT INTO session_events (session_id, from_state, to_state, reason, message) SELECT id, from_state, 'stopping', $${n + 1}, $${n + 2} FROM moved)
         SELECT id FROM moved`,
        [...params, reason, message],
      ),
    );
    if (rows.length) this.logger.log(`${rows.length} session(s) stopping (${reason})`);
    return rows.map((r) => r.id);
  }

  /** Starts queued sessions first-in first-out while their profile has free slots. */
  async admit(): Promise<void> {
    const profiles = await this.dataSource.manager.find(ProfileEntity, { where: { enabled: true } });
    // A session keeps the limits it was admitted with: later quota changes apply to new work.
    const quotas = await this.quotas.current();
    for (const profile of profiles) {
      const admitted = await this.dataSource.transaction(async (manager) => {
        await manager.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`trialhub:admit:${profile.name}`]);
        const [{ used }] = await manager.query(
          `SELECT count(*)::int AS used FROM sessions WHERE profile_name = $1 AND state IN ('provisioning','starting','ready','stopping')`,
          [profile.name],
        );
        const free = profile.slots - used;
        if (free <= 0) return [];
        return queryRows<{ id: string }>(
          await manager.query(
            `WITH picked AS (
               SELECT s.id FROM sessions s JOIN trials t ON t.id = s.trial_id
               WHERE s.state = 'queued' AND s.profile_name = $1 AND s.reason_code IS DISTINCT FROM 'Unschedulable'
                 AND t.state = 'active' AND t.expires_at > now()
               ORDER BY s.queued_at, s.id LIMIT $2 FOR UPDATE OF s SKIP LOCKED),
             moved AS (
               UPDATE sessions s SET state = 'provisioning', started_at = now(), generation = generation + 1, reason = NULL, reason_code = NULL, next_check_at = NULL,
                 max_runtime_ms = $3, idle_timeout_ms = $4
               FROM picked WHERE picked.id = s.id RETURNING s.id),
             ev AS (INSERT INTO session_events (session_id, from_state, to_state, reason, message)
               SELECT id, 'queued', 'provisioning', 'admitted', 'A slot is free: creating the workspace and the notebook' FROM moved)
             SELECT id FROM moved`,
            [profile.name, free, quotas.sessionMaxRuntimeMs, quotas.idleTimeoutMs],
          ),
        );
      });
      for (const { id } of admitted) this.queue.add(id);
    }
  }

  /** Sessions whose next step is due (provisioning, starting, stopping) and not leased by another replica. */
  private async enqueueDue(): Promise<void> {
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `SELECT id FROM sessions WHERE state IN ('provisioning','starting','stopping')
         AND (next_check_at IS NULL OR next_check_at <= now()) AND (claimed_until IS NULL OR claimed_until < now())
       ORDER BY queued_at LIMIT 1000`,
    );
    for (const { id } of rows) this.queue.add(id);
  }

  /** Takes the session's lease; null when another replica holds it. */
  private async claim(id: string): Promise<SessionEntity | null> {
    const rows = queryRows<{ id: string }>(
      await this.dataSource.query(
        `UPDATE sessions SET claimed_by = $2, claimed_until = now() + ($3::bigint * interval '1 millisecond')
         WHERE id IN (SELECT id FROM sessions WHERE id = $1 AND (claimed_until IS NULL OR claimed_until < now() OR claimed_by = $2) FOR UPDATE SKIP LOCKED)
         RETURNING id`,
        [id, this.replicaId, this.leaseMs],
      ),
    );
    if (!rows.length) return null;
    return this.dataSource.manager.findOne(SessionEntity, { where: { id } });
  }

  private async release(id: string, nextCheckInMs: number | null): Promise<void> {
    await this.dataSource.query(
      `UPDATE sessions SET claimed_by = NULL, claimed_until = NULL, next_check_at = CASE WHEN $3::bigint IS NULL THEN NULL ELSE now() + ($3::bigint * interval '1 millisecond') END WHERE id = $1 AND claimed_by = $2`,
      [id, this.replicaId, nextCheckInMs],
    );
  }

  /** One step for one session, under its lease. */
  async processSession(id: string): Promise<void> {
    if (this.stopped) return;
    const session = await this.claim(id);
    if (!session) return;
    let retryInMs: number | null = null;
    try {
      retryInMs = await this.step(session);
    } catch (err) {
      if (err instanceof TransientRuntimeError) {
        retryInMs = 2000;
        this.logger.warn(`Session ${id}: the runtime is unavailable (${err.message}); retrying`);
      } else if (isTransientDatabaseError(err)) {
        retryInMs = 2000;
        this.logger.warn(`Session ${id}: the database is busy or unavailable (${(err as Error).message}); retrying`);
      } else {
        this.logger.error({ err, sessionId: id }, 'Session step failed');
        await this.fail(session, 'RuntimeError', `The notebook could not be started: ${(err as Error).message}`).catch(() => undefined);
      }
    } finally {
      if (session.state === 'stopped' || session.state === 'failed') this.lastSeen.delete(id);
      else {
        // Sessions another replica finished stay here; a cap keeps that bounded (losing hints is harmless).
        if (this.lastSeen.size >= 50_000) this.lastSeen.clear();
        this.lastSeen.set(id, session.state);
      }
      await this.release(id, retryInMs).catch((err) => this.logger.error({ err }, 'Could not release a session lease'));
    }
  }

  /**
   * A runtime event: queue the session unless, by the state this replica last saw, the event
   * changes nothing (a pod moving from "pulling" to "creating" while the session is starting).
   * A pod goes through several such events per launch, and each queued one costs a claim, a
   * read and a release. A hint only: another replica may have moved the session meanwhile, which
   * the claim sees; a skipped event is looked at again by the starting backstop (`enqueueDue`).
   */
  private onObservation(sessionId: string): void {
    const known = this.lastSeen.get(sessionId);
    if (known && known !== 'stopping' && decide(known, this.runtime.observe(sessionId), 0, LOST_AFTER_MS).kind === 'none') return;
    this.queue.add(sessionId);
  }

  /** Returns when to look again (ms), or null when only a runtime event or an API call should wake it. */
  private async step(s: SessionEntity): Promise<number | null> {
    switch (s.state) {
      case 'provisioning':
        return this.provision(s);
      case 'stopping':
        return this.terminate(s);
      case 'starting':
      case 'ready':
      case 'queued':
        return this.observe(s);
      default:
        return null;
    }
  }

  private async provision(s: SessionEntity): Promise<number | null> {
    // PORT=0 and not listening yet (a restart with sessions to launch): the upload URL the
    // session would get names no port. It is known as soon as the server is bound.
    if (this.config.port === 0 || this.config.uploadPort === 0) return 200;
    const trial = await this.dataSource.manager.findOneOrFail(TrialEntity, { where: { id: s.trialId } });
    const profile = await this.dataSource.manager.findOneOrFail(ProfileEntity, { where: { name: s.profileName } });
    const workspaceSize = this.config.runtime.workspaceSize;
    await this.runtime.ensureWorkspace({ trialId: s.trialId, userId: s.userId, storage: workspaceSize });
    await this.dataSource.query(
      `INSERT INTO workspaces (trial_id, user_id, state, size) VALUES ($1, $2, 'ready', $3) ON CONFLICT (trial_id) DO UPDATE SET state = 'ready', deleted_at = NULL`,
      [s.trialId, s.userId, workspaceSize],
    );
    const spec = buildSessionSpec(s, trial, profile, {
      jupyterToken: this.tokens.jupyterToken(s.id, s.generation),
      uploadToken: this.tokens.uploadToken(s.id, s.generation),
      uploadUrl: this.config.runtime.sessionUploadUrl,
    });
    await this.runtime.launch(spec);
    await this.dataSource.transaction((m) => applyTransition(m, s, { to: 'starting', reason: 'launched', message: 'The notebook is starting' }));
    // The runtime's events drive it from here; the timer is a backstop for a missed event.
    return this.observe(s).then((next) => next ?? 5000);
  }

  private async observe(s: SessionEntity): Promise<number | null> {
    const obs = this.runtime.observe(s.id);
    const since = Date.now() - (s.startedAt?.getTime() ?? s.queuedAt.getTime());
    const decision = decide(s.state, obs, since, LOST_AFTER_MS);
    switch (decision.kind) {
      case 'ready': {
        const o = decision.observation;
        await this.dataSource.transaction((m) =>
          applyTransition(m, s, {
            to: 'ready',
            reason: 'ready',
            message: o.localMode === 'headless' ? 'Ready: Jupyter is not installed here, so the trainer runs headless' : 'Ready: the notebook is open for you',
            patch: { readyAt: new Date(), lastActivityAt: new Date(), endpointHost: o.endpoint?.host ?? null, endpointPort: o.endpoint?.port ?? null, node: o.node ?? null, mode: o.localMode ?? 'jupyter', reason: null },
          }),
        );
        this.metrics.launched(s);
        return null;
      }
      case 'fail':
        await this.fail(s, decision.reasonCode, decision.message);
        return null;
      case 'lost':
        await this.fail(s, 'Lost', s.state === 'ready' ? 'The notebook stopped unexpectedly' : 'The notebook disappeared before it started');
        return null;
      case 'unschedulable':
        await this.dataSource.transaction((m) =>
          applyTransition(m, s, { to: 'queued', reason: 'Unschedulable', message: `Waiting for capacity: ${decision.message}`, patch: { reason: decision.message } }),
        );
        return null;
      case 'scheduled':
        await this.dataSource.transaction(async (m) => {
          await applyTransition(m, s, { to: 'provisioning', reason: 'scheduled', message: 'Capacity freed up: a node took the notebook', patch: { reason: null, startedAt: new Date() } });
          await applyTransition(m, s, { to: 'starting', reason: 'launched', message: 'The notebook is starting' });
        });
        return this.observe(s);
      case 'none':
        return s.state === 'starting' ? 5000 : null;
    }
  }

  private async fail(s: SessionEntity, reasonCode: string, message: string): Promise<void> {
    if (s.state === 'failed' || s.state === 'stopped') return;
    await this.dataSource.transaction((m) => applyTransition(m, s, { to: 'failed', reason: reasonCode, message: `Failed: ${message}`, patch: { reason: message, stoppedAt: new Date() } }));
    this.metrics.failed(s, reasonCode);
    // Clean up what is left; the garbage collector retries if this does not finish.
    void this.runtime.terminate(s.id, { gracePeriodSeconds: 5 }).catch((err) => this.logger.warn(`Cleanup of failed session ${s.id}: ${err.message}`));
  }

  private async terminate(s: SessionEntity): Promise<number | null> {
    const done = await Promise.race([
      this.runtime.terminate(s.id).then(() => true),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), TERMINATE_WAIT_MS).unref()),
    ]);
    if (!done) return 1000;
    await this.dataSource.transaction(async (m) => {
      await applyTransition(m, s, { to: 'stopped', reason: s.stopReason ?? 'stopped', message: 'Stopped: the notebook and its credentials are gone; the workspace stays while the trial lasts', patch: { stoppedAt: new Date(), endpointHost: null, endpointPort: null } });
      await this.audit.record(SYSTEM_ACTOR, 'session.teardown', { type: 'session', id: s.id }, { userId: s.userId, reason: s.stopReason }, m);
    });
    return null;
  }

  /** Deletes the workspace of every ended trial once none of its sessions holds resources. */
  async tearDownEndedTrials(): Promise<void> {
    for (;;) {
      // Claimed in one statement (SKIP LOCKED: replicas take different trials), deleted in parallel.
      const batch = queryRows<{ id: string; expires_at: Date | null; end_reason: string | null }>(
        await this.dataSource.query(
          `WITH picked AS (
             SELECT t.id FROM trials t WHERE t.state = 'ended' AND t.torn_down_at IS NULL
               AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.trial_id = t.id AND s.state IN ('provisioning','starting','ready','stopping','queued'))
             LIMIT $1 FOR UPDATE OF t SKIP LOCKED)
           UPDATE trials t SET torn_down_at = now() FROM picked WHERE t.id = picked.id RETURNING t.id, t.expires_at, t.end_reason`,
          [TEARDOWN_BATCH],
        ),
      );
      if (!batch.length) return;
      const outcomes = await settleWithLimit(batch, 32, (t) => this.runtime.deleteWorkspace(t.id));
      const done = batch.filter((_, i) => outcomes[i].status === 'fulfilled');
      const failed = batch.filter((_, i) => outcomes[i].status === 'rejected');
      await this.dataSource.transaction(async (m: EntityManager) => {
        if (done.length) {
          await m.query(`UPDATE workspaces SET state = 'deleted', deleted_at = now() WHERE trial_id = ANY($1::uuid[])`, [done.map((t) => t.id)]);
          await this.audit.recordMany(SYSTEM_ACTOR, 'trial.teardown', done.map((t) => ({ type: 'trial', id: t.id })), m);
        }
        // Not deleted (the API server refused or was away): the next pass tries again.
        if (failed.length) await m.query(`UPDATE trials SET torn_down_at = NULL WHERE id = ANY($1::uuid[])`, [failed.map((t) => t.id)]);
      });
      for (const [i, t] of failed.entries()) if (i < 3) this.logger.warn(`Workspace of trial ${t.id} not deleted yet: ${((outcomes[batch.indexOf(t)] as PromiseRejectedResult).reason as Error).message}`);
      for (const t of done) if (t.end_reason === 'expired' && t.expires_at) this.metrics.teardownLag.observe((Date.now() - new Date(t.expires_at).getTime()) / 1000);
      if (batch.length < TEARDOWN_BATCH || failed.length) return;
    }
  }

  /** Anything of ours in the runtime that the database does not know, or knows as finished, is deleted. */
  async collectGarbage(): Promise<{ sessions: string[]; trials: string[] }> {
    const removed = { sessions: [] as string[], trials: [] as string[] };
    try {
      const managed = await this.runtime.listManaged();
      if (managed.sessionIds.length) {
        const live: Array<{ id: string }> = await this.dataSource.query(
          `SELECT id::text FROM sessions WHERE id::text = ANY($1) AND state NOT IN ('stopped','failed')`,
          [managed.sessionIds],
        );
        const keep = new Set(live.map((r) => r.id));
        removed.sessions = managed.sessionIds.filter((id) => !keep.has(id));
      }
      if (managed.trialIds.length) {
        const live: Array<{ id: string }> = await this.dataSource.query(`SELECT id::text FROM trials WHERE id::text = ANY($1) AND torn_down_at IS NULL`, [managed.trialIds]);
        const keep = new Set(live.map((r) => r.id));
        removed.trials = managed.trialIds.filter((id) => !keep.has(id));
      }
      await Promise.all(removed.sessions.map((id) => this.runtime.terminate(id, { gracePeriodSeconds: 0 })));
      await Promise.all(removed.trials.map((id) => this.runtime.deleteWorkspace(id)));
      if (removed.trials.length) {
        // E.g. a teardown interrupted between claiming a trial and deleting its claim.
        await this.dataSource.query(`UPDATE workspaces SET state = 'deleted', deleted_at = now() WHERE trial_id::text = ANY($1) AND state <> 'deleted'`, [removed.trials]);
      }
      if (removed.sessions.length || removed.trials.length) {
        this.logger.warn(`Garbage collected ${removed.sessions.length} session(s) and ${removed.trials.length} workspace(s) the database does not know as live`);
      }
    } catch (err) {
      if (!this.stopped) this.logger.warn(`Garbage collection failed (${(err as Error).message}); retrying later`);
    }
    return removed;
  }

  /** For tests and benchmarks: wait until nothing is queued in this replica. */
  idle(): Promise<void> {
    return this.queue.drain();
  }

  recordEvent(sessionId: string, message: string): Promise<void> {
    return recordSessionEvent(this.dataSource.manager, sessionId, message);
  }
}
