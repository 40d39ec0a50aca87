import { inject } from 'vitest';
import { createDatabase } from './database-admin';

/** A fresh, empty database on the test server, dropped by the returned function. */
export function createTestDatabase(prefix = 'trialhub_t'): Promise<{ url: string; drop(): Promise<void> }> {
  return createDatabase(inject('adminDatabaseUrl'), prefix);
}
