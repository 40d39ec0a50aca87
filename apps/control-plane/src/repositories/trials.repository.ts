import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { ACTIVE_SESSION_STATES, TrialState } from '@trialhub/contracts';
import { TrialEntity } from '../database/entities';
import { queryRows } from '../database/query-rows';

const ACTIVE: TrialState = 'active';
const WAITLISTED: TrialState = 'waitlisted';
const ENDED: TrialState = 'ended';

/** The only place that writes the `trials` table. Decisions (who is admitted, when) stay in TrialsService. */
@Injectable()
export class TrialsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  save(trial: TrialEntity, manager: EntityManager): Promise<TrialEntity> {
    return manager.save(trial);
  }

  /** Serialises admission decisions across replicas (held for the caller's transaction). */
  async lockAdmission(manager: EntityManager): Promise<void> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext('trialhub:trial-admission'))`);
  }

  async counts(manager: EntityManager): Promise<{ active: number; waiting: number }> {
    const [row] = await manager.query(
      `SELECT count(*) FILTER (WHERE state = $1)::int AS active, count(*) FILTER (WHERE state = $2)::int AS waiting FROM trials`,
      [ACTIVE, WAITLISTED],
    );
    return row;
  }

  async waitlistedAhead(trial: Pick<TrialEntity, 'createdAt' | 'id'>): Promise<number> {
    const [{ ahead }] = await this.dataSource.query(`SELECT count(*)::int AS ahead FROM trials WHERE state = $3 AND (created_at, id) < ($1, $2)`, [trial.createdAt, trial.id, WAITLISTED]);
    return ahead;
  }

  /** Starts the `count` oldest waitlisted trials (or the one named), each running for `durationMs`. */
  async activate(manager: EntityManager, durationMs: number, pick: { count: number } | { id: string }): Promise<TrialEntity[]> {
    const which =
      'id' in pick
        ? { sql: `id = $1 AND state = $3`, param: pick.id }
        : { sql: `id IN (SELECT id FROM trials WHERE state = $3 ORDER BY created_at, id LIMIT $1 FOR UPDATE SKIP LOCKED)`, param: pick.count };
    const rows = queryRows<{ id: string }>(
      await manager.query(
        `UPDATE trials SET state = $4, activated_at = now(), expires_at = now() + ($2::bigint * interval '1 millisecond') WHERE ${which.sql} RETURNING id`,
        [which.param, durationMs, WAITLISTED, ACTIVE],
      ),
    );
    return rows.length ? manager.find(TrialEntity, { where: { id: In(rows.map((r) => r.id)) }, order: { createdAt: 'ASC' } }) : [];
  }

  /** Ends every active trial past its expiry; each row is claimed once, whichever replica runs it. */
  async expireDue(): Promise<Array<{ id: string; user_id: string }>> {
    return queryRows(
      await this.dataSource.query(`UPDATE trials SET state = $1, ended_at = now(), end_reason = 'expired' WHERE state = $2 AND expires_at <= now() RETURNING id, user_id`, [ENDED, ACTIVE]),
    );
  }

  /** Marks (once) the trials ending within the hour, with their users' addresses. */
  async markWarned(): Promise<Array<{ id: string; expires_at: Date; email: string }>> {
    return queryRows(
      await this.dataSource.query(
        `UPDATE trials t SET warned_at = now() FROM users u
         WHERE u.id = t.user_id AND t.state = $1 AND t.warned_at IS NULL AND t.expires_at <= now() + interval '1 hour' AND t.expires_at > now()
         RETURNING t.id, t.expires_at, u.email`,
        [ACTIVE],
      ),
    );
  }

  /** Claims (SKIP LOCKED: replicas take different ones) ended trials none of whose sessions is unfinished, for workspace teardown. */
  async claimForTeardown(limit: number): Promise<Array<{ id: string; expires_at: Date | null; end_reason: string | null }>> {
    return queryRows(
      await this.dataSource.query(
        `WITH picked AS (
           SELECT t.id FROM trials t WHERE t.state = $2 AND t.torn_down_at IS NULL
             AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.trial_id = t.id AND s.state = ANY($3::text[]))
           LIMIT $1 FOR UPDATE OF t SKIP LOCKED)
         UPDATE trials t SET torn_down_at = now() FROM picked WHERE t.id = picked.id RETURNING t.id, t.expires_at, t.end_reason`,
        [limit, ENDED, ACTIVE_SESSION_STATES],
      ),
    );
  }

  /** A teardown that did not finish: the next pass claims these again. */
  async releaseTeardown(manager: EntityManager, trialIds: string[]): Promise<void> {
    if (trialIds.length) await manager.query(`UPDATE trials SET torn_down_at = NULL WHERE id = ANY($1::uuid[])`, [trialIds]);
  }

  /** Of `ids`, the trials whose workspace has not been torn down. */
  async notTornDownAmong(ids: string[]): Promise<Set<string>> {
    const rows: Array<{ id: string }> = await this.dataSource.query(`SELECT id::text FROM trials WHERE id::text = ANY($1) AND torn_down_at IS NULL`, [ids]);
    return new Set(rows.map((r) => r.id));
  }
}
