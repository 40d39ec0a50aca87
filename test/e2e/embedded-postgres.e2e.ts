import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlPlaneProcess, buildOnce } from '../support/control-plane-process';
import { ApiClient } from '../support/http';

describe('npm start on the embedded defaults', () => {
  let dataDir: string;
  beforeAll(() => {
    buildOnce();
    dataDir = mkdtempSync(join(tmpdir(), 'trialhub-embedded-'));
    // As root, the embedded server runs as the postgres user, who must be able to enter the folder.
    chmodSync(dataDir, 0o755);
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('runs on an embedded PostgreSQL (never port 5432) and keeps users and trials across a restart', async () => {
    const env = { TRIALHUB_DATA_DIR: dataDir };
    const first = new ControlPlaneProcess(env);
    const url = await first.start(90_000);
    try {
      expect(first.output.join('\n')).toMatch(/Embedded PostgreSQL listening on 127\.0\.0\.1:(\d+)/);
      const port = Number(/Embedded PostgreSQL listening on 127\.0\.0\.1:(\d+)/.exec(first.output.join('\n'))![1]);
      expect(port).not.toBe(5432);
      const api = new ApiClient(url);
      await api.signup('persistent@example.com', 'persistent-password');
      const trial = (await api.get('/api/trial')).body;
      expect(trial.state).toBe('active');
      expect((await api.get('/readyz')).body.database).toBe('ok');
      await first.kill('SIGTERM');

      const second = new ControlPlaneProcess(env);
      const url2 = await second.start(90_000);
      try {
        const again = new ApiClient(url2);
        expect((await again.post('/api/auth/login', { email: 'persistent@example.com', password: 'persistent-password' })).status).toBe(200);
        expect((await again.get('/api/trial')).body).toMatchObject({ id: trial.id, expiresAt: trial.expiresAt });
        // The generated secret persisted too, so the first log-in's cookie would still be valid.
        expect(readFileSync(join(dataDir, 'session-secret'), 'utf8').trim().length).toBeGreaterThanOrEqual(32);
      } finally {
        await second.kill('SIGTERM');
      }
    } finally {
      await first.kill();
    }
  });
});
