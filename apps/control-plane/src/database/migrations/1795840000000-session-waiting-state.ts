import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * "Waiting for a GPU" becomes a state of its own (`waiting`) instead of `queued` with
 * `reason_code = 'Unschedulable'`, and the column accepts only the states the contracts know.
 * The list is written out here on purpose: a shipped migration never changes with the code.
 */
export class SessionWaitingState1795840000000 implements MigrationInterface {
  name = 'SessionWaitingState1795840000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE "sessions" SET "state" = 'waiting' WHERE "state" = 'queued' AND "reason_code" = 'Unschedulable'`);
    await q.query(
      `ALTER TABLE "sessions" ADD CONSTRAINT "sessions_state_check" CHECK ("state" IN ('queued','provisioning','starting','waiting','ready','stopping','stopped','failed'))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "sessions" DROP CONSTRAINT "sessions_state_check"`);
    await q.query(`UPDATE "sessions" SET "state" = 'queued' WHERE "state" = 'waiting'`);
  }
}
