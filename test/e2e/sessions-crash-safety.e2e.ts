import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlPlaneProcess, buildOnce } from '../support/control-plane-process';
import { createTestDatabase } from '../support/database';
import { ApiClient } from '../support/http';
import { sessionPods, startFakeCluster, waitFor } from '../support/kube';
import { startTestServer } from '../support/server';

type Cluster = Awaited<ReturnType<typeof startFakeCluster>>;
const view = (api: ApiClient, id: string) => api.get(`/api/sessions/${id}`).then((r) => r.body);

describe('crash safety and several replicas', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    buildOnce();
    cluster = await startFakeCluster({ nodes: 4, gpusPerNode: 8, cpuOnlyNodes: 2 });
  });
  afterAll(() => cluster?.fake.close());

  it('a control plane killed (SIGKILL) mid-provisioning and restarted finishes the job with no orphan and no duplicate', async () => {
    const db = await createTestDatabase();
    const env = { ...cluster.env, DATABASE_URL: db.url, TRIALHUB_DATA_DIR: `/tmp/trialhub-crash-${Date.now()}` };
    const first = new ControlPlaneProcess(env);
    try {
      const url = await first.start();
      const before = cluster.fake.requests.length;
      const user = new ApiClient(url);
      await user.signup('crash@example.com');
      // Hold the pod before it runs, so the kill lands while the session is provisioning or starting.
      cluster.fake.kubelet.pause();
      const s = (await user.post('/api/sessions', { profile: 'cpu' })).body;
      await waitFor('the session to be in flight', () => view(user, s.id), (x) => x.state === 'provisioning' || x.state === 'starting');
      await first.kill('SIGKILL');
      cluster.fake.kubelet.resume();

      const second = new ControlPlaneProcess(env);
      const url2 = await second.start();
      const again = new ApiClient(url2);
      expect((await again.post('/api/auth/login', { email: 'crash@example.com', password: 'correct-horse-battery' })).status).toBe(200);
      const ready = await waitFor('ready after the restart', () => view(again, s.id), (x) => x.state === 'ready', 40_000);
      const pods = sessionPods(cluster.fake).filter((p: any) => p.metadata.labels['trialhub.io/session'] === ready.id);
      expect(pods).toHaveLength(1);
      const creates = cluster.fake.requests.slice(before).filter((r) => r.verb === 'create' && r.resource === 'pods' && r.status === 201);
      expect(creates).toHaveLength(1);
      await again.delete(`/api/sessions/${s.id}`);
      await waitFor('stopped', () => view(again, s.id), (x) => x.state === 'stopped', 30_000);
      await second.kill('SIGTERM');
    } finally {
      await first.kill();
      await db.drop();
    }
  });

  it('a pod the database does not know is garbage collected', async () => {
    const server = await startTestServer(cluster.env);
    try {
      const user = new ApiClient(server.url);
      await user.signup('gc@example.com');
      const s = (await user.post('/api/sessions', { profile: 'cpu' })).body;
      await waitFor('ready', () => view(user, s.id), (x) => x.state === 'ready');
      // Forget the session in the database: its pod becomes a stray.
      const { Client } = await import('pg');
      const c = new Client({ connectionString: server.databaseUrl });
      await c.connect();
      await c.query('DELETE FROM sessions WHERE id = $1', [s.id]);
      await c.end();
      await waitFor('the stray pod to be deleted', () => sessionPods(cluster.fake).filter((p: any) => p.metadata.labels['trialhub.io/session'] === s.id), (x) => x.length === 0, 30_000);
    } finally {
      await server.stop();
    }
  });

  it('two control planes on one database never both act on one session', { timeout: 180_000 }, async () => {
    const db = await createTestDatabase();
    const a = await startTestServer({ ...cluster.env, DATABASE_URL: db.url });
    const b = await startTestServer({ ...cluster.env, DATABASE_URL: db.url });
    try {
      // Room for all twelve at once: the replicas, not the slots, are under test.
      const { Client } = await import('pg');
      const c = new Client({ connectionString: db.url });
      await c.connect();
      await c.query(`UPDATE profiles SET slots = 100 WHERE name = 'x86-gpu'`);
      await c.end();
      const before = cluster.fake.requests.length;
      const users = await Promise.all(Array.from({ length: 12 }, async (_, i) => {
        const u = new ApiClient(i % 2 ? a.url : b.url);
        await u.signup(`replica${i}@example.com`);
        return u;
      }));
      const sessions = await Promise.all(users.map((u) => u.post('/api/sessions', { profile: 'x86-gpu' }).then((r) => r.body)));
      await Promise.all(sessions.map((s, i) => waitFor(`session ${i} ready`, () => view(users[i], s.id), (x) => x.state === 'ready', 60_000)));
      // A create carries the name in its body, so count them: one create per session, none refused as a duplicate.
      const podCreates = cluster.fake.requests.slice(before).filter((r) => r.verb === 'create' && r.resource === 'pods');
      expect(podCreates.map((r) => r.status)).toEqual(Array(12).fill(201));
      expect(sessionPods(cluster.fake).filter((p: any) => sessions.some((x) => x.id === p.metadata.labels['trialhub.io/session']))).toHaveLength(12);
      const events = await Promise.all(sessions.map((s, i) => view(users[i], s.id).then((x) => x.events.filter((e: any) => e.to === 'provisioning').length)));
      expect(events.every((n) => n === 1)).toBe(true);
      await Promise.all(sessions.map((s, i) => users[i].delete(`/api/sessions/${s.id}`)));
    } finally {
      await a.stop();
      await b.stop();
      await db.drop();
    }
  });
});
