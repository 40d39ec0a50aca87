import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { buildOnce, ControlPlaneProcess } from '../support/control-plane-process';
import { createTestDatabase } from '../support/database';
import { ApiClient } from '../support/http';
import { executeOnKernel, ReconnectingKernelSocket } from '../support/jupyter-kernel';
import { LoadBalancer } from '../support/load-balancer';
import { NotebookClient } from '../support/notebook-origin';
import { killSessionProcesses, sessionProcesses } from '../support/session-processes';
import { waitFor } from '../support/wait';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The Deployment's terminationGracePeriodSeconds: past it Kubernetes would SIGKILL. */
const GRACE_MS = 30_000;

interface Answer { what: string; status: number; error?: string }

const recordOf = (dataDir: string, sessionId: string) => JSON.parse(readFileSync(join(dataDir, 'runtime', 'default', 'sessions', `${sessionId}.json`), 'utf8'));

/**
 * A rolling update as Kubernetes runs one: two replicas of the built control plane on one
 * PostgreSQL, behind a balancer that works like a Service (new connections round robin to the
 * replicas whose /readyz answers, polled); a steady read load and an open kernel WebSocket through
 * it; each replica in turn gets SIGTERM, exits, and a new one takes its place.
 */
describe('a rolling restart of both replicas', () => {
  const lb = new LoadBalancer(150);
  const dataDir = mkdtempSync(join(tmpdir(), 'trialhub-rolling-'));
  let db: { url: string; drop(): Promise<void> };
  let replicas: ControlPlaneProcess[] = [];

  beforeAll(async () => {
    buildOnce();
    db = await createTestDatabase();
    await lb.start();
  }, 180_000);

  afterAll(async () => {
    for (const r of replicas) await r.kill();
    killSessionProcesses(dataDir);
    await lb.stop();
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('drops no request, closes the kernel WebSocket cleanly for a reconnect to the same kernel, and leaves the notebook running', async () => {
    // One installation on one machine: a shared data folder (generated secret, local sessions), the balancer's address as theirs.
    const env = {
      DATABASE_URL: db.url,
      TRIALHUB_DATA_DIR: dataDir,
      PUBLIC_URL: `http://localhost:${lb.port}`,
      NOTEBOOK_DOMAIN: `localhost:${lb.port}`,
      // Longer than the balancer takes to notice (three failed probes 150 ms apart), with room for a loaded machine.
      // ROLLING_RESTART_DRAIN=0s shows what the drain is for: this test then fails with refused and cut connections.
      SHUTDOWN_DRAIN: process.env.ROLLING_RESTART_DRAIN ?? '2s',
      SHUTDOWN_TIMEOUT: '10s',
    };
    replicas = [new ControlPlaneProcess(env), new ControlPlaneProcess(env)];
    onTestFailed(() => {
      for (const [i, r] of replicas.entries()) console.error(`replica ${i} (pid ${r.pid}, ${r.url}), last lines:\n${r.output.slice(-40).join('\n')}`);
      console.error(`balancer:\n${lb.events.join('\n')}`);
    });
    // One after the other: the first creates the schema, the secret and the notebook kernel set-up.
    for (const r of replicas) lb.add(await r.start(90_000));
    for (const r of replicas) await waitFor(`${r.url} in rotation`, () => lb.isReady(r.url), Boolean);

    const api = new ApiClient(lb.url);
    await api.signup('rolling@example.com');
    const launched = await api.post('/api/sessions', { profile: 'cpu' });
    expect(launched.status).toBe(202);
    // (A first launch in a fresh data folder installs the TypeScript kernel with a blocking spawnSync, which can cut a
    // keep-alive connection whose request arrived meanwhile: before the load starts, so looked at again, not counted.)
    const session = await waitFor('the session to be ready', () => api.get(`/api/sessions/${launched.body.id}`).then((r) => r.body, () => null), (s) => s?.state === 'ready' || s?.state === 'failed', 120_000);
    expect(session).toMatchObject({ state: 'ready', mode: 'jupyter' });
    const nb = new NotebookClient(lb.url, session.id);
    await nb.open(api);
    const kernel = await nb.post(`/notebook/${session.id}/api/kernels`, { name: 'tslab' });
    expect(kernel.status).toBe(201);
    const channels = nb.wsUrl(`/notebook/${session.id}/api/kernels/${kernel.body.id}/channels?session_id=rolling`);
    expect(await executeOnKernel(channels, nb.wsHeaders(), '(globalThis as any).kept = 41;', 120_000)).not.toHaveProperty('error');
    const notebookPid = recordOf(dataDir, session.id).pid;
    const kernelSocket = new ReconnectingKernelSocket(channels, () => nb.wsHeaders());
    await kernelSocket.start();

    // The steady read load: the portal's session polling, and the notebook's own API through the proxy.
    const answers: Answer[] = [];
    let loading = true;
    const reads: Array<[string, () => Promise<{ status: number }>]> = [
      ['GET /api/sessions/:id', () => api.get(`/api/sessions/${session.id}`)],
      ['GET /api/trial', () => api.get('/api/trial')],
      ['GET notebook /api/kernels/:id', () => nb.get(`/notebook/${session.id}/api/kernels/${kernel.body.id}`)],
      ['GET notebook /api/contents', () => nb.get(`/notebook/${session.id}/api/contents`)],
    ];
    const load = Promise.all(
      reads.map(async ([what, read]) => {
        while (loading) {
          try {
            answers.push({ what, status: (await read()).status });
          } catch (err) {
            // A refused or reset connection, as the user's browser would see it.
            answers.push({ what, status: 0, error: `${(err as Error).message} ${(err as { cause?: Error }).cause?.message ?? ''}` });
          }
          await sleep(10);
        }
      }),
    );

    await sleep(1000);
    for (const replica of replicas) {
      const old = replica.url;
      const exited = await Promise.race([replica.kill('SIGTERM'), sleep(GRACE_MS).then(() => 'not within the grace period')]);
      expect(exited, replica.output.slice(-20).join('\n')).toEqual({ code: 0, signal: null });
      lb.remove(old);
      lb.add(await replica.start(90_000));
      await waitFor(`the new replica ${replica.url} in rotation`, () => lb.isReady(replica.url), Boolean, 30_000);
      await sleep(1000);
    }
    loading = false;
    await load;
    kernelSocket.stop();

    // Every read was answered, and answered well, through both restarts (the load did run on both sides of them).
    const failed = answers.filter((a) => a.status !== 200);
    expect(failed, `${failed.length} of ${answers.length} reads failed`).toEqual([]);
    expect(answers.length).toBeGreaterThan(100);
    expect(lb.refused, lb.events.join('\n')).toBe(0);

    // The kernel WebSocket was closed as "going away" (at least once: its replica restarted) and reconnected each time.
    expect(kernelSocket.closeCodes.length).toBeGreaterThan(0);
    expect(kernelSocket.closeCodes.every((c) => c === 1001), `close codes ${kernelSocket.closeCodes}`).toBe(true);
    expect(kernelSocket.failures, lb.events.join('\n')).toEqual([]);
    expect(kernelSocket.opens).toBe(kernelSocket.closeCodes.length + 1);
    // Through the new replicas: the same kernel, with its state.
    expect(await executeOnKernel(channels, nb.wsHeaders(), 'console.log((globalThis as any).kept + 1);', 60_000)).toEqual({ stdout: '42\n' });
    const kernels = await nb.get(`/notebook/${session.id}/api/kernels`);
    expect(kernels.body.map((k: { id: string }) => k.id)).toEqual([kernel.body.id]);
    // The notebook server is the one started before the restarts; the session never left ready.
    expect(recordOf(dataDir, session.id).pid).toBe(notebookPid);
    expect(sessionProcesses(session.id)).toContain(notebookPid);
    const after = await api.get(`/api/sessions/${session.id}`);
    expect(after.body.state).toBe('ready');
    expect(after.body.events.filter((e: { to: string | null }) => e.to === 'ready')).toHaveLength(1);
  }, 600_000);
});
