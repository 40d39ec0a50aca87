import type { DataSource } from 'typeorm';

/**
 * Runs pending migrations while holding a cluster-wide advisory lock, so several replicas starting
 * together migrate once. A database already at the latest migration (every restart) costs one query.
 */
export async function runMigrations(dataSource: DataSource): Promise<void> {
  if (await atLatestMigration(dataSource)) return;
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

/** Whether TypeORM's migrations table lists every migration we ship (migrations are only ever added, so a yes needs no lock). */
async function atLatestMigration(dataSource: DataSource): Promise<boolean> {
  let rows: Array<{ name: string }>;
  try {
    rows = await dataSource.query(`SELECT name FROM "${dataSource.options.migrationsTableName ?? 'migrations'}"`);
  } catch {
    return false; // a new database: no migrations table yet
  }
  const applied = new Set(rows.map((r) => r.name));
  return dataSource.migrations.every((m) => applied.has(m.name ?? m.constructor.name));
}
