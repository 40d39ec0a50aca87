import type { DataSource } from 'typeorm';

/** Runs pending migrations while holding a cluster-wide advisory lock, so several replicas starting together migrate once. */
export async function runMigrations(dataSource: DataSource): Promise<void> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query(`SELECT pg_advisory_lock(hashtext('trialhub:migrations'))`);
    await dataSource.runMigrations({ transaction: 'all' });
  } finally {
    await runner.query(`SELECT pg_advisory_unlock(hashtext('trialhub:migrations'))`).catch(() => undefined);
    await runner.release();
  }
}
