import type { TestProject } from 'vitest/node';
import { Client } from 'pg';
import { mkdtempSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Tests need a real PostgreSQL: TEST_DATABASE_URL, else the one on 127.0.0.1:5432, else an
 * embedded one started here. Each test file then creates its own database on that server.
 */
let embedded: { stop(): Promise<void> } | null = null;

async function reachable(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export default async function setup(project: TestProject) {
  let url = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  if (!(await reachable(url))) {
    const { EmbeddedPostgresServer } = await import('../../apps/control-plane/src/database/embedded-postgres');
    const dir = mkdtempSync(join(tmpdir(), 'trialhub-test-pg-'));
    chmodSync(dir, 0o755);
    const server = new EmbeddedPostgresServer(dir);
    url = await server.start();
    embedded = server;
    console.log(`No PostgreSQL at TEST_DATABASE_URL or 127.0.0.1:5432; using an embedded one at ${url}`);
  }
  project.provide('adminDatabaseUrl', url);
  return async () => {
    await embedded?.stop();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
  }
}
