import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../apps/control-plane/src/database/data-source-options';
import { runMigrations } from '../../apps/control-plane/src/database/migrate';
import { createTestDatabase } from '../support/database';

describe('database schema', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db?.drop());

  it('is exactly what the entities describe once the migrations ran (no drift), and migrating twice at once is safe', async () => {
    const a = await new DataSource(dataSourceOptions(db.url)).initialize();
    const b = await new DataSource(dataSourceOptions(db.url)).initialize();
    await Promise.all([runMigrations(a), runMigrations(b)]);
    const pending = await a.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
    const applied = await a.query(`SELECT name FROM migrations`);
    expect(applied).toHaveLength(a.migrations.length);
    await a.destroy();
    await b.destroy();
  });
});
