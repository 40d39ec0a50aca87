import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A profile may name a Kubernetes RuntimeClass (gVisor's `runsc`, Kata) its session pods run
 * under, so user code is sandboxed from the node's kernel. NULL: the cluster's default runtime.
 */
export class ProfileRuntimeClass1795820000000 implements MigrationInterface {
  name = 'ProfileRuntimeClass1795820000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "profiles" ADD "runtime_class_name" text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "profiles" DROP COLUMN "runtime_class_name"`);
  }
}
