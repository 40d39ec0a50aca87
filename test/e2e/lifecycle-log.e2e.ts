import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlPlaneProcess, buildOnce } from '../support/control-plane-process';
import { createTestDatabase } from '../support/database';
import { ApiClient } from '../support/http';
import { killSessionProcesses } from '../support/session-processes';
import { poolHousesDataset } from '../support/shared-dataset';
import { waitFor } from '../support/wait';

interface LogLine { level: number; msg?: string; event?: string; context?: string; req?: Record<string, unknown>; res?: Record<string, unknown>; [k: string]: unknown }

const INFO = 30;
const view = (api: ApiClient, id: string) => api.get(`/api/sessions/${id}`).then((r) => r.body);

/**
 * One whole session on the local runtime, sign-up to trial end, read from the control plane's
 * own log (a child process writing JSON lines, at LOG_LEVEL=info as in production).
 */
describe('the log of one whole session (local runtime)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'trialhub-log-'));
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let cp: ControlPlaneProcess;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    buildOnce();
    db = await createTestDatabase();
    cp = new ControlPlaneProcess({ DATABASE_URL: db.url, TRIALHUB_DATA_DIR: dataDir, LOG_LEVEL: 'info' });
    const url = await cp.start();
    const api = new ApiClient(url);

    const { user } = await api.signup('lifecycle@example.com');
    ids.userId = user.id;
    ids.trialId = (await api.get('/api/trial')).body.id;
    const launched = await api.post('/api/sessions', {});
    expect(launched.status).toBe(202);
    ids.sessionId = launched.body.id;
    const ready = await waitFor('the session to be ready', () => view(api, ids.sessionId), (s) => s.state === 'ready' || s.state === 'failed', 90_000);
    expect(ready.state).toBe('ready');

    // A run trained in the workspace's results/ (as the notebook does); Stop saves it.
    const trained = spawnSync(process.execPath, [join(__dirname, '../../dist/apps/trainer/src/cli.js'), '--out', join(dataDir, 'workspaces', ids.trialId, 'results', 'log-run'), '--bottlenecks', join(poolHousesDataset(), 'bottlenecks'), '--steps', '30'], { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME } });
    expect(trained.status, trained.stderr).toBe(0);
    expect((await api.delete(`/api/sessions/${ids.sessionId}`)).status).toBe(202);
    await waitFor('the session to stop', () => view(api, ids.sessionId), (s) => s.state === 'stopped', 90_000);
    const results = (await api.get('/api/results')).body;
    const list = Array.isArray(results) ? results : results.items;
    expect(list).toHaveLength(1);
    ids.resultId = list[0].id;

    const share = await api.post(`/api/results/${ids.resultId}/shares`, { expiresInDays: 7 });
    expect(share.status).toBe(201);
    ids.shareId = share.body.id;
    ids.shareToken = share.body.token;
    // A stranger opens it: the token must not reach the log.
    expect((await fetch(`${url}/share/${ids.shareToken}`)).status).toBe(200);
    expect((await api.delete(`/api/results/${ids.resultId}/shares/${ids.shareId}`)).status).toBeLessThan(300);
    expect((await api.delete('/api/trial')).status).toBe(200);
    await waitFor('the trial-end line', () => cp.output.some((l) => l.includes('"trial.ended"')), (found) => found, 20_000);
  }, 300_000);

  afterAll(async () => {
    await cp?.kill('SIGTERM');
    killSessionProcesses(dataDir);
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const lines = (): LogLine[] =>
    cp.output.flatMap((l) => {
      try {
        return [JSON.parse(l) as LogLine];
      } catch {
        return [];
      }
    });
  const once = (event: string) => {
    const found = lines().filter((l) => l.event === event);
    expect(found.map((l) => l.msg), `one "${event}" line`).toHaveLength(1);
    expect(found[0].level, `"${event}" is logged at info`).toBe(INFO);
    return found[0];
  };

  it('has one info line per lifecycle event, each with the ids that find it', () => {
    expect(once('user.signed-up')).toMatchObject({ userId: ids.userId, trialId: ids.trialId });
    expect(once('trial.started')).toMatchObject({ userId: ids.userId, trialId: ids.trialId, expiresAt: expect.any(String) });
    expect(once('result.saved')).toMatchObject({ userId: ids.userId, sessionId: ids.sessionId, resultId: ids.resultId, runName: expect.stringMatching(/^log-run/) });
    expect(once('share.created')).toMatchObject({ userId: ids.userId, resultId: ids.resultId, shareId: ids.shareId });
    expect(once('share.revoked')).toMatchObject({ userId: ids.userId, resultId: ids.resultId, shareId: ids.shareId });
    expect(once('trial.ended')).toMatchObject({ userId: ids.userId, trialId: ids.trialId, reason: 'user' });
    // Never an address or a secret on a lifecycle line.
    for (const l of lines().filter((x) => x.event)) expect(JSON.stringify(l)).not.toMatch(/lifecycle@example\.com|password|token/i);
  });

  it("has one info line per transition of the session, from its launch to the trial's end, with its ids and the time to ready", () => {
    const transitions = lines().filter((l) => typeof l.event === 'string' && l.event.startsWith('session.') && l.sessionId === ids.sessionId);
    expect(transitions.map((t) => t.event)).toEqual(['session.queued', 'session.provisioning', 'session.starting', 'session.ready', 'session.stopping', 'session.stopped']);
    for (const t of transitions) expect(t).toMatchObject({ level: INFO, userId: ids.userId, trialId: ids.trialId });
    expect(transitions[3]).toMatchObject({ from: 'starting', to: 'ready', msToReady: expect.any(Number) });
  });

  it('writes the access line at info without request or response headers, and no share token', () => {
    const access = lines().filter((l) => l.req && l.res);
    expect(access.length).toBeGreaterThan(5);
    for (const l of access) {
      expect(l.level).toBeLessThanOrEqual(INFO);
      expect(Object.keys(l.req!)).not.toContain('headers');
      expect(Object.keys(l.res!)).not.toContain('headers');
      expect(l.req).toMatchObject({ method: expect.any(String), url: expect.any(String), id: expect.any(String) });
    }
    expect(access.some((l) => l.req!.url === '/api/sessions' && l.req!.method === 'POST' && (l.res as { statusCode: number }).statusCode === 202)).toBe(true);
    expect(cp.output.join('\n')).not.toContain(ids.shareToken);
    expect(cp.output.join('\n')).not.toMatch(/"cookie"|"authorization"|"user-agent"/i);
  });

  it('keeps start-up detail (modules loaded, routes mapped) out of the info log', () => {
    const startup = lines().filter((l) => l.level >= INFO && /Mapped \{|dependencies initialized|RoutesResolver/.test(String(l.msg ?? '') + String(l.context ?? '')));
    expect(startup.map((l) => l.msg)).toEqual([]);
    expect(lines().some((l) => String(l.msg).includes('Trialhub is listening on'))).toBe(true);
  });
});
