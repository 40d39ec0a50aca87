import { inject } from 'vitest';
import { createDatabaseOn } from './postgres-database';

/** A fresh, empty database on the test server, dropped by the returned function. */
export function createTestDatabase(prefix = 'trialhub_t'): Promise<{ url: string; drop(): Promise<void> }> {
  return createDatabaseOn(inject('adminDatabaseUrl'), prefix);
}
