import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each session keeps the maximum runtime and idle timeout it was admitted with, so an admin
 * lowering a quota changes new work only (unless they ask to apply it to running sessions).
 * NULL (sessions admitted before this migration) means "the current quota".
 */
export class SessionLimits1795737600000 implements MigrationInterface {
  name = 'SessionLimits1795737600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "sessions" ADD "max_runtime_ms" bigint`);
    await q.query(`ALTER TABLE "sessions" ADD "idle_timeout_ms" bigint`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "sessions" DROP COLUMN "idle_timeout_ms"`);
    await q.query(`ALTER TABLE "sessions" DROP COLUMN "max_runtime_ms"`);
  }
}
