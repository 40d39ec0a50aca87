import { Client } from 'pg';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlPlaneProcess, buildOnce } from '../support/control-plane-process';
import { createTestDatabase } from '../support/database';
import { ApiClient } from '../support/http';
import { executeOnKernel } from '../support/jupyter-kernel';
import { NotebookClient } from '../support/notebook-origin';
import { startTestServer, TestServer } from '../support/server';
import { killSessionProcesses, sessionProcesses } from '../support/session-processes';
import { waitFor } from '../support/wait';
import { poolHousesDataset } from '../support/shared-dataset';

const view = (api: ApiClient, id: string) => api.get(`/api/sessions/${id}`).then((r) => r.body);
/** The seed's data set, shared next to the repository (see DESIGN.md). */
const EXAMPLE_DATA = poolHousesDataset();

const recordOf = (dataDir: string, sessionId: string) => JSON.parse(readFileSync(join(dataDir, 'runtime', 'default', 'sessions', `${sessionId}.json`), 'utf8'));

/** Stops the server, and with it anything a failed test left running in its data folder. */
async function stopServer(server: TestServer): Promise<void> {
  const dataDir = server.dataDir;
  try {
    await server.stop();
  } finally {
    killSessionProcesses(dataDir);
  }
}

/** A run trained in the notebook's working folder (the CLI, no upload), as the example notebook's cells do. */
function train(out: string, steps: number): void {
  const trained = spawnSync(process.execPath, [join(__dirname, '../../dist/apps/trainer/src/cli.js'), '--out', out, '--bottlenecks', join(EXAMPLE_DATA, 'bottlenecks'), '--steps', String(steps)], { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME } });
  expect(trained.status, trained.stderr).toBe(0);
}

async function resultsOf(api: ApiClient): Promise<any[]> {
  const results = await api.get('/api/results');
  expect(results.status).toBe(200);
  return Array.isArray(results.body) ? results.body : results.body.items;
}

async function launchReady(api: ApiClient, email: string): Promise<any> {
  await api.signup(email);
  const launched = await api.post('/api/sessions', { profile: 'cpu' });
  expect(launched.status).toBe(202);
  return waitFor(`${email}'s session to be ready`, () => view(api, launched.body.id), (s) => s.state === 'ready' || s.state === 'failed', 90_000);
}

describe('the local runtime (real Jupyter child processes)', () => {
  beforeAll(() => buildOnce(), 180_000);

  it('stops a session at its maximum runtime, and its processes are gone', async () => {
    // Jupyter may take long to start on a loaded machine, so the session is admitted with a long limit and given a short one once it runs.
    const server = await startTestServer();
    try {
      const api = new ApiClient(server.url);
      const ready = await launchReady(api, 'deadline@example.com');
      expect(ready).toMatchObject({ state: 'ready', mode: 'jupyter' });
      // A kernel too: Jupyter starts kernels in sessions of their own, and they must go as well.
      const nb = new NotebookClient(server.url, ready.id);
      await nb.open(api);
      expect((await nb.post(`/notebook/${ready.id}/api/kernels`, { name: 'python3' })).status).toBe(201);
      await waitFor('the kernel process', () => sessionProcesses(ready.id).length, (n) => n >= 3);
      const sql = new Client({ connectionString: server.databaseUrl });
      await sql.connect();
      await sql.query(`UPDATE sessions SET max_runtime_ms = 1000 WHERE id = $1`, [ready.id]).finally(() => sql.end());
      const stopped = await waitFor('stopped at the deadline', () => view(api, ready.id), (s) => s.state === 'stopped', 60_000);
      expect(stopped.events.map((e: any) => e.reason)).toContain('max-runtime');
      expect(sessionProcesses(ready.id)).toEqual([]);
      expect(existsSync(join(server.dataDir, 'runtime', 'default', 'sessions', `${ready.id}.json`))).toBe(false);
    } finally {
      await stopServer(server);
    }
  }, 150_000);

  it('a stopped session resumes on the same workspace, with a new notebook server and new credentials', async () => {
    const server = await startTestServer();
    try {
      const api = new ApiClient(server.url);
      const first = await launchReady(api, 'resume@example.com');
      const nb = new NotebookClient(server.url, first.id);
      await nb.open(api);
      expect((await nb.put(`/notebook/${first.id}/api/contents/kept.txt`, { type: 'file', format: 'text', content: 'still here' })).status).toBe(201);
      const firstRecord = recordOf(server.dataDir, first.id);
      await api.delete(`/api/sessions/${first.id}`);
      await waitFor('stopped', () => view(api, first.id), (s) => s.state === 'stopped', 60_000);
      expect(sessionProcesses(first.id)).toEqual([]);
      expect((await api.post(`/api/sessions/${first.id}/resume`)).status).toBe(202);
      await waitFor('ready again', () => view(api, first.id), (s) => s.state === 'ready', 90_000);
      const second = recordOf(server.dataDir, first.id);
      expect(second.pid).not.toBe(firstRecord.pid);
      expect(second.tokenHash).not.toBe(firstRecord.tokenHash);
      // A new generation: the old notebook cookie is refused, a new hand-off gets in.
      expect((await nb.get(`/notebook/${first.id}/api/contents/kept.txt`)).status).toBe(401);
      const resumed = new NotebookClient(server.url, first.id);
      await resumed.open(api, { loadPage: false });
      const file = await resumed.get(`/notebook/${first.id}/api/contents/kept.txt`);
      expect(file.body, file.text).toMatchObject({ content: 'still here' });
      await api.delete(`/api/sessions/${first.id}`);
      await waitFor('stopped', () => view(api, first.id), (s) => s.state === 'stopped', 60_000);
    } finally {
      await stopServer(server);
    }
  }, 200_000);

  it('a notebook server that dies is a failed session whose reason has its last log lines', async () => {
    const server = await startTestServer();
    try {
      const api = new ApiClient(server.url);
      const ready = await launchReady(api, 'crash@example.com');
      const { pid } = recordOf(server.dataDir, ready.id);
      process.kill(-pid, 'SIGKILL');
      const failed = await waitFor('failed', () => view(api, ready.id), (s) => s.state === 'failed', 30_000);
      expect(failed.reason).toMatch(/The notebook server exited\. Last log lines:\n/);
      expect(failed.reason).toMatch(/Jupyter Notebook|Serving notebooks|notebook/i);
      await waitFor('no process left', () => sessionProcesses(ready.id), (p) => p.length === 0, 15_000);
    } finally {
      await stopServer(server);
    }
  }, 150_000);

  it('without Jupyter installed, a session runs the trainer headless on the example data and says so', async () => {
    // As on a machine without Jupyter: the configured command does not exist.
    const server = await startTestServer({ JUPYTER_COMMAND: '/nonexistent/jupyter', TRIALHUB_EXAMPLE_DATA: EXAMPLE_DATA });
    try {
      const api = new ApiClient(server.url);
      const ready = await launchReady(api, 'headless@example.com');
      expect(ready).toMatchObject({ state: 'ready', mode: 'headless' });
      expect(ready.events.map((e: any) => e.message).join('\n')).toMatch(/Jupyter is not installed here, so the trainer runs headless/);
      const workspace = join(server.dataDir, 'workspaces', ready.trialId);
      expect(existsSync(join(workspace, 'pool-houses', 'bottlenecks'))).toBe(true);
      expect(existsSync(join(workspace, 'Classifying-House-And-Pool-Images.ipynb'))).toBe(true);
      const log = join(server.dataDir, 'runtime', 'default', 'logs', `${ready.id}.log`);
      const metrics = await waitFor(
        'the headless trainer to write its metrics',
        () => (existsSync(join(workspace, 'results')) ? readdirSync(join(workspace, 'results')).map((r) => join(workspace, 'results', r, 'metrics.json')).find(existsSync) : undefined),
        (f) => !!f,
        120_000,
        500,
      ).catch((err) => {
        throw new Error(`${err.message}\ntrainer log:\n${existsSync(log) ? readFileSync(log, 'utf8').slice(-3000) : '(none)'}`);
      });
      expect(JSON.parse(readFileSync(metrics!, 'utf8')).testAccuracy).toBeGreaterThan(0.5);
      const nb = new NotebookClient(server.url, ready.id);
      await nb.open(api, { loadPage: false });
      const page = await nb.get(`/notebook/${ready.id}/tree`, { accept: 'text/html' });
      expect(page.status).toBe(409);
      expect(page.text).toContain('runs the trainer headless');
      await api.delete(`/api/sessions/${ready.id}`);
      await waitFor('stopped', () => view(api, ready.id), (s) => s.state === 'stopped', 60_000);
      expect(sessionProcesses(ready.id)).toEqual([]);
    } finally {
      await stopServer(server);
    }
  }, 240_000);

  it('saves every run once: saved from the notebook then stopped gives one result; retrained in the same folder, the stop saves the new one', async () => {
    // PORT=0 like every test server: the sessions must get the port actually bound, not localhost:0.
    const server = await startTestServer();
    try {
      const api = new ApiClient(server.url);
      const ready = await launchReady(api, 'saver@example.com');
      expect(recordOf(server.dataDir, ready.id).uploadUrl).toBe(`http://localhost:${new URL(server.uploadUrl).port}/api/uploads`);
      expect(server.uploadUrl).not.toBe(server.url);
      const run = join(server.dataDir, 'workspaces', ready.trialId, 'results', 'evening-run');
      train(run, 50);

      // The user saves it from the notebook: the trainer's notebook API on the session's TypeScript kernel, through the proxy.
      const nb = new NotebookClient(server.url, ready.id);
      await nb.open(api);
      const kernel = await nb.post(`/notebook/${ready.id}/api/kernels`, { name: 'tslab' });
      expect(kernel.status).toBe(201);
      const channels = nb.wsUrl(`/notebook/${ready.id}/api/kernels/${kernel.body.id}/channels?session_id=e2e`);
      const code = `const trainer = require('trialhub-trainer');\nconst outcome = await trainer.saveResultsToTrialhub({ dir: ${JSON.stringify(run)}, title: 'Saved from the notebook', print: () => undefined });\nconsole.log(JSON.stringify(outcome));`;
      const executed = await executeOnKernel(channels, nb.wsHeaders(), code, 120_000);
      expect(executed.error, executed.stdout).toBeUndefined();
      const outcome = JSON.parse(executed.stdout.trim().split('\n').pop()!);
      expect(outcome).toMatchObject({ saved: true, alreadySaved: false });
      expect(JSON.parse(readFileSync(join(run, '.trialhub-saved'), 'utf8'))).toMatchObject({ resultId: outcome.resultId, fingerprint: expect.stringMatching(/^sha256:/) });

      // Stopping: the save step finds the run saved already. One result, not two.
      expect((await api.delete(`/api/sessions/${ready.id}`)).status).toBe(202);
      await waitFor('stopped', () => view(api, ready.id), (s) => s.state === 'stopped', 90_000);
      const afterFirst = await resultsOf(api);
      expect(afterFirst.map((r: any) => [r.id, r.title])).toEqual([[outcome.resultId, 'Saved from the notebook']]);

      // The next session retrains in the same folder and never saves: the stop saves the new run.
      expect((await api.post(`/api/sessions/${ready.id}/resume`)).status).toBe(202);
      await waitFor('ready again', () => view(api, ready.id), (s) => s.state === 'ready', 90_000);
      train(run, 80);
      expect((await api.delete(`/api/sessions/${ready.id}`)).status).toBe(202);
      await waitFor('stopped again', () => view(api, ready.id), (s) => s.state === 'stopped', 90_000);
      const afterSecond = await resultsOf(api);
      expect(afterSecond).toHaveLength(2);
      const retrained = afterSecond.find((r: any) => r.id !== outcome.resultId);
      expect(retrained.runName).toMatch(/^evening-run-\d{8}-\d{6}$/);
      expect(retrained.title).toMatch(/saved when the session stopped$/);
      expect(JSON.parse(readFileSync(join(run, '.trialhub-saved'), 'utf8'))).toMatchObject({ resultId: retrained.id, runName: retrained.runName });
    } finally {
      await stopServer(server);
    }
  }, 240_000);

  it('a control plane killed with SIGKILL and restarted adopts the live session, collects the stray one, and leaves no stray process', async () => {
    const db = await createTestDatabase();
    const dataDir = mkdtempSync(join(tmpdir(), 'trialhub-kill9-'));
    const env = { DATABASE_URL: db.url, TRIALHUB_DATA_DIR: dataDir };
    const first = new ControlPlaneProcess(env);
    const second = new ControlPlaneProcess(env);
    try {
      const url = await first.start();
      const kept = new ApiClient(url);
      const keptSession = await launchReady(kept, 'kept@example.com');
      const dropped = new ApiClient(url);
      const droppedSession = await launchReady(dropped, 'dropped@example.com');
      const keptPid = recordOf(dataDir, keptSession.id).pid;
      await first.kill('SIGKILL');

      // The notebook servers outlive the control plane (their own process groups, output to files).
      expect(sessionProcesses(keptSession.id).length).toBeGreaterThan(0);
      expect(sessionProcesses(droppedSession.id).length).toBeGreaterThan(0);
      // While it was down, one session ended in the database: its process is now a stray.
      const { Client } = await import('pg');
      const c = new Client({ connectionString: db.url });
      await c.connect();
      await c.query(`UPDATE sessions SET state = 'stopped', stopped_at = now() WHERE id = $1`, [droppedSession.id]);
      await c.end();

      const url2 = await second.start();
      await waitFor('the stray to be collected', () => sessionProcesses(droppedSession.id), (p) => p.length === 0, 30_000);
      // The session still wanted is adopted: same process, still ready, reachable through the new control plane.
      const again = new ApiClient(url2);
      expect((await again.post('/api/auth/login', { email: 'kept@example.com', password: 'correct-horse-battery' })).status).toBe(200);
      const adopted = await view(again, keptSession.id);
      expect(adopted.state).toBe('ready');
      expect(recordOf(dataDir, keptSession.id).pid).toBe(keptPid);
      const nb = new NotebookClient(url2, keptSession.id);
      await nb.open(again, { loadPage: false });
      const contents = await waitFor('the notebook through the new control plane', () => nb.get(`/notebook/${keptSession.id}/api/contents`), (r) => r.status === 200, 20_000);
      expect(contents.body.type).toBe('directory');

      await again.delete(`/api/sessions/${keptSession.id}`);
      await waitFor('stopped', () => view(again, keptSession.id), (s) => s.state === 'stopped', 60_000);
      expect(sessionProcesses(keptSession.id)).toEqual([]);
      await second.kill('SIGTERM');
    } finally {
      await first.kill();
      await second.kill();
      killSessionProcesses(dataDir);
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 240_000);
});

