import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, RunningServer } from '../../apps/control-plane/src/bootstrap';
import { createTestDatabase } from './database';

export interface TestServer extends RunningServer {
  dataDir: string;
  stop(): Promise<void>;
}

/** The real control plane, in-process, on a free port, against its own fresh database. */
export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  // A given DATABASE_URL is shared (several control planes on one database) and left in place.
  const db = env.DATABASE_URL ? { url: env.DATABASE_URL, drop: async () => undefined } : await createTestDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'trialhub-e2e-'));
  const server = await startServer({
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: db.url,
    TRIALHUB_DATA_DIR: dataDir,
    AUTH_RATE_LIMIT: '1000/1m',
    SCHEDULER_INTERVAL: '200ms',
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...env,
  });
  return Object.assign(server, {
    dataDir,
    stop: async () => {
      await server.close();
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  });
}

/** Where sessions upload: the upload API on its own listener (UPLOAD_PORT), as sessions get it. */
export const uploadApiUrl = (server: RunningServer): string => `${server.uploadUrl}/api/uploads`;
