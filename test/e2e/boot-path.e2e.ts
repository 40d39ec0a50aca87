import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../apps/control-plane/src/common/free-port';
import { ControlPlaneProcess, buildOnce } from '../support/control-plane-process';
import { createTestDatabase } from '../support/database';
import { ApiClient } from '../support/http';
import { waitFor } from '../support/wait';

/** Packages only some requests need (issue 17): a start under the local runtime with local artifacts must not load them. */
const NOT_ON_BOOT_PATH = ['@aws-sdk/client-s3', '@aws-sdk/lib-storage', '@kubernetes/client-node', '@tensorflow/', 'archiver', 'sharp', 'nodemailer', '@zxcvbn-ts/'];

const packagesIn = (files: string[]) => new Set(files.map((f) => /node_modules\/((@[^/]+\/)?[^/]+)/.exec(f)?.[1]).filter((p): p is string => !!p));

describe('the boot path', () => {
  let db: { url: string; drop(): Promise<void> };
  let dir: string;
  let server: ControlPlaneProcess;
  beforeAll(async () => {
    buildOnce();
    db = await createTestDatabase('trialhub_boot');
    dir = mkdtempSync(join(tmpdir(), 'trialhub-boot-'));
    server = new ControlPlaneProcess({
      DATABASE_URL: db.url, TRIALHUB_DATA_DIR: dir, RUNTIME: 'local', ARTIFACT_STORE: 'local', JUPYTER_COMMAND: 'off',
      ADMIN_EMAIL: 'boot-admin@example.com', ADMIN_PASSWORD: 'boot admin password 17',
      NODE_OPTIONS: `--require ${resolve(__dirname, '../support/loaded-modules-hook.cjs')}`, LOADED_MODULES_FILE: join(dir, 'loaded.json'),
    });
    await server.start(90_000);
  }, 120_000);
  afterAll(async () => {
    await server?.kill();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const loadedPackages = async () => {
    const file = join(dir, 'loaded.json');
    rmSync(file, { force: true });
    process.kill(server.pid!, 'SIGUSR2');
    await waitFor('the loaded-module list', () => existsSync(file), (v) => v);
    const files = JSON.parse(readFileSync(file, 'utf8')) as string[];
    return { files, loaded: packagesIn(files) };
  };

  it('loads neither the S3 SDK, the Kubernetes client, TensorFlow.js, archiver, sharp, nodemailer nor zxcvbn to start and answer the API', async () => {
    const api = new ApiClient(server.url);
    expect((await api.get('/api/profiles')).status).toBe(401);
    const login = await api.post('/api/auth/login', { email: 'boot-admin@example.com', password: 'boot admin password 17' });
    expect(login.status).toBe(200);
    expect((await api.get('/api/admin/quotas')).status).toBe(200);
    const { files, loaded } = await loadedPackages();
    // The server runs as its bundle (dist/control-plane.js); what it requires from outside is in require.cache.
    expect(files.some((f) => f.endsWith(join('dist', 'control-plane.js')))).toBe(true);
    expect(loaded.has('argon2')).toBe(true);
    for (const name of NOT_ON_BOOT_PATH) expect([...loaded].filter((p) => p.startsWith(name)), name).toEqual([]);
  });

  it('keeps those packages out of the bundle, so a load of one shows here', async () => {
    const { EXTERNAL } = await import('../../scripts/bundle-server.mjs');
    for (const name of NOT_ON_BOOT_PATH) expect(EXTERNAL.some((e) => e === name || (e.endsWith('/*') && name.startsWith(e.slice(0, -1)))), name).toBe(true);
  });

  it('builds the OpenAPI document when it is first asked for', async () => {
    const api = new ApiClient(server.url);
    const doc = await api.get('/api/docs/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.info.title).toBe('Trialhub API');
    expect(Object.keys(doc.body.paths)).toContain('/api/sessions');
    expect((await api.get('/api/docs')).status).toBe(200);
  });

  /**
   * A start on a fresh database (the admin's argon2 hash is made after the port opens, so the start
   * has a while to go), handed to `test` once its port answers; cleaned up afterwards.
   */
  async function whileStartingFresh(name: string, test: (process: ControlPlaneProcess, url: string, started: Promise<unknown>) => Promise<void>): Promise<void> {
    const fresh = await createTestDatabase(`trialhub_boot_${name}`);
    const dir = mkdtempSync(join(tmpdir(), `trialhub-boot-${name}-`));
    const port = await freePort();
    const starting = new ControlPlaneProcess({
      DATABASE_URL: fresh.url, TRIALHUB_DATA_DIR: dir, RUNTIME: 'local', ARTIFACT_STORE: 'local', JUPYTER_COMMAND: 'off',
      PORT: String(port), UPLOAD_PORT: String(await freePort()), ADMIN_EMAIL: `${name}-admin@example.com`, ADMIN_PASSWORD: `${name} admin password 17`,
    });
    try {
      const started = starting.start(30_000);
      started.catch(() => undefined); // the test awaits it, or not
      const url = `http://127.0.0.1:${port}`;
      await waitFor('the port to answer', () => fetch(`${url}/healthz`).then((r) => r.status, () => 0), (status) => status === 200, 60_000, 5);
      await test(starting, url, started);
    } finally {
      await starting.kill();
      await fresh.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('opens the port while the bootstrap admin is made ready: a log-in as the admin sent the moment the port answers waits for it', () =>
    whileStartingFresh('admin', async (_process, url, started) => {
      const login = await new ApiClient(url).post('/api/auth/login', { email: 'admin-admin@example.com', password: 'admin admin password 17' });
      expect(login.status).toBe(200);
      expect(login.body.user.role).toBe('admin');
      await started;
    }), 120_000);

  it('drains and exits cleanly on a SIGTERM that comes after the port opens but before the start is done (a rollout can send one that early)', () =>
    whileStartingFresh('term', async (starting, _url, started) => {
      // Before the fix, main.ts installed its handlers only once the start was done: Node's default action killed it here.
      const exit = await starting.kill('SIGTERM');
      await started.catch(() => undefined);
      expect(exit, starting.output.slice(-10).join('\n')).toEqual({ code: 0, signal: null });
      expect(starting.output.some((l) => l.includes('Received SIGTERM, shutting down'))).toBe(true);
    }), 120_000);
});
