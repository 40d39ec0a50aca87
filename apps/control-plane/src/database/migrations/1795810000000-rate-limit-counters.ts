import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Rate-limit counters shared by every control plane replica (one fixed window per key). Keys
 * are hashes (`action:scope:sha256`), so the table holds no email address or client address.
 */
export class RateLimitCounters1795810000000 implements MigrationInterface {
  name = 'RateLimitCounters1795810000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE rate_limit_counters (key text PRIMARY KEY, hits integer NOT NULL, resets_at timestamptz NOT NULL)`);
    await q.query(`CREATE INDEX rate_limit_counters_resets_at ON rate_limit_counters (resets_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE rate_limit_counters`);
  }
}
