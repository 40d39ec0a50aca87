import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/http';
import { sessionPods, startFakeCluster, waitFor } from '../support/kube';
import { startTestServer, TestServer } from '../support/server';

const ADMIN = { ADMIN_EMAIL: 'ops@trialhub.test', ADMIN_PASSWORD: 'ops-password-1' };
type Cluster = Awaited<ReturnType<typeof startFakeCluster>>;

const podName = (sessionId: string) => `trialhub-s-${sessionId}`;
const view = (api: ApiClient, id: string) => api.get(`/api/sessions/${id}`).then((r) => r.body);
const until = (api: ApiClient, id: string, pred: (s: any) => boolean, what: string, ms = 20_000) => waitFor(what, () => view(api, id), pred, ms);
const trialObjects = (c: Cluster, trialId: string) =>
  (['pods', 'services', 'secrets', 'persistentvolumeclaims'] as const).flatMap((k) => c.fake.objects(k, 'trialhub-sessions').filter((o: any) => o.metadata.labels?.['trialhub.io/trial'] === trialId).map((o: any) => `${k}/${o.metadata.name}`));

async function asAdmin(server: TestServer): Promise<ApiClient> {
  const admin = new ApiClient(server.url);
  expect((await admin.post('/api/auth/login', { email: ADMIN.ADMIN_EMAIL, password: ADMIN.ADMIN_PASSWORD })).status).toBe(200);
  return admin;
}

describe('sessions on Kubernetes (fake API server)', () => {
  let cluster: Cluster;
  let server: TestServer;
  let admin: ApiClient;

  beforeAll(async () => {
    cluster = await startFakeCluster({ nodes: [
      { name: 'power8-a', labels: { 'kubernetes.io/arch': 'ppc64le', 'nvidia.com/gpu.present': 'true' }, gpus: 1, taints: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }] },
      { name: 'x86-a', labels: { 'kubernetes.io/arch': 'amd64', 'nvidia.com/gpu.present': 'true' }, gpus: 4, taints: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }] },
      { name: 'cpu-a', labels: { 'kubernetes.io/arch': 'amd64' }, gpus: 0 },
    ], runtimeClasses: [{ metadata: { name: 'gvisor' }, handler: 'runsc' }] });
    server = await startTestServer({ ...cluster.env, ...ADMIN });
    admin = await asAdmin(server);
  });
  afterAll(async () => {
    await server?.stop();
    await cluster?.fake.close();
  });

  it('launches a POWER8 GPU session: queued → provisioning → starting → ready, with its pod, secret, service and claim', async () => {
    const user = new ApiClient(server.url);
    const { user: me } = await user.signup('ada@example.com');
    const launched = await user.post('/api/sessions', {});
    expect(launched.status).toBe(202);
    expect(launched.body).toMatchObject({ state: 'queued', profile: 'power8-gpu', userId: me.id });
    const ready = await until(user, launched.body.id, (s) => s.state === 'ready', 'ready');
    expect(ready.events.map((e: any) => e.to).filter(Boolean)).toEqual(['queued', 'provisioning', 'starting', 'ready']);
    expect(ready.notebookUrl).toBe(`/notebook/${ready.id}/tree`);
    expect(Date.parse(ready.stopsAt)).toBeGreaterThan(Date.now() + 3.9 * 3600_000);
    expect(ready.trialExpiresAt).toBeTruthy();

    const pod = sessionPods(cluster.fake).find((p: any) => p.metadata.name === podName(ready.id));
    expect(pod.spec.nodeSelector['kubernetes.io/arch']).toBe('ppc64le');
    expect(pod.spec.nodeName).toBe('power8-a');
    expect(pod.spec.containers[0].resources.limits['nvidia.com/gpu']).toBe('1');
    expect(pod.spec.automountServiceAccountToken).toBe(false);
    expect(pod.spec.securityContext.runAsNonRoot).toBe(true);
    const deadline = pod.spec.activeDeadlineSeconds;
    // The trial's end plus the backstop margin: the control plane stops the session first.
    expect(deadline).toBeGreaterThan(24 * 3600 + 300 - 120);
    expect(deadline).toBeLessThanOrEqual(24 * 3600 + 300);
    expect(pod.metadata.labels).toMatchObject({ 'trialhub.io/session': ready.id, 'trialhub.io/trial': ready.trialId, 'trialhub.io/installation': 'e2e' });
    expect(trialObjects(cluster, ready.trialId).sort()).toEqual([
      `persistentvolumeclaims/trialhub-ws-${ready.trialId}`,
      `pods/${podName(ready.id)}`,
      `secrets/${podName(ready.id)}`,
      `services/${podName(ready.id)}`,
    ]);
    for (const kind of ['secrets', 'services'] as const) {
      const dependant = cluster.fake.objects(kind, 'trialhub-sessions').find((o: any) => o.metadata.name === podName(ready.id));
      expect(dependant.metadata.ownerReferences[0]).toMatchObject({ kind: 'Pod', uid: pod.metadata.uid });
    }

    // Stop, then resume with the same workspace claim.
    expect((await user.delete(`/api/sessions/${ready.id}`)).status).toBe(202);
    const stopped = await until(user, ready.id, (s) => s.state === 'stopped', 'stopped');
    expect(stopped.events.map((e: any) => e.to).filter(Boolean).slice(-2)).toEqual(['stopping', 'stopped']);
    expect(trialObjects(cluster, ready.trialId)).toEqual([`persistentvolumeclaims/trialhub-ws-${ready.trialId}`]);
    const claimUid = cluster.fake.objects('persistentvolumeclaims', 'trialhub-sessions')[0].metadata.uid;
    expect((await user.post(`/api/sessions/${ready.id}/resume`)).status).toBe(202);
    await until(user, ready.id, (s) => s.state === 'ready', 'ready again');
    expect(cluster.fake.objects('persistentvolumeclaims', 'trialhub-sessions').find((c: any) => c.metadata.labels['trialhub.io/trial'] === ready.trialId).metadata.uid).toBe(claimUid);
    await user.delete(`/api/sessions/${ready.id}`);
    await until(user, ready.id, (s) => s.state === 'stopped', 'stopped again');
  });

  it('streams the session\'s events as Server-Sent Events', async () => {
    const user = new ApiClient(server.url);
    const { token } = await user.signup('sse@example.com');
    const s = (await user.post('/api/sessions', { profile: 'x86-gpu' })).body;
    const res = await fetch(`${server.url}/api/sessions/${s.id}/events`, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' } });
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = res.body!.getReader();
    let text = '';
    const decoder = new TextDecoder();
    while (!/"state":"ready"/.test(text)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    await reader.cancel();
    expect(text).toMatch(/event: event\n(id: \d+\n)?data: \{"at":"[^"]+","from":null,"to":"queued"/);
    expect(text).toMatch(/event: state\n(id: \d+\n)?data: .*"state":"ready"/);
    await user.delete(`/api/sessions/${s.id}`);
  });

  it('queues a launch when no GPU node has room and starts it when a GPU frees up', async () => {
    const [a, b] = [new ApiClient(server.url), new ApiClient(server.url)];
    await a.signup('gpu-a@example.com');
    await b.signup('gpu-b@example.com');
    const first = (await a.post('/api/sessions', { profile: 'power8-gpu' })).body;
    await until(a, first.id, (s) => s.state === 'ready', 'first ready');
    const second = (await b.post('/api/sessions', { profile: 'power8-gpu' })).body;
    const waiting = await until(b, second.id, (s) => s.state === 'waiting', 'waiting for a GPU');
    expect(waiting.reason).toBe('No GPU node has a free nvidia.com/gpu');
    expect(waiting.events.find((e: any) => e.to === 'waiting').message).toMatch(/Insufficient nvidia\.com\/gpu/);
    // It is not in the queue for a slot: its pod waits for the cluster.
    expect(waiting.queuePosition).toBeNull();
    await a.delete(`/api/sessions/${first.id}`);
    const ready = await until(b, second.id, (s) => s.state === 'ready', 'second ready after the GPU freed');
    expect(ready.events.map((e: any) => e.to).filter(Boolean)).toEqual(['queued', 'provisioning', 'starting', 'waiting', 'starting', 'ready']);
    await b.delete(`/api/sessions/${second.id}`);
    await until(b, second.id, (s) => s.state === 'stopped', 'second stopped');
  });

  it('deletes a waiting session\'s pending pod at once when it is stopped', async () => {
    const [a, b] = [new ApiClient(server.url), new ApiClient(server.url)];
    await a.signup('gpu-holder@example.com');
    await b.signup('gpu-waiter@example.com');
    const first = (await a.post('/api/sessions', { profile: 'power8-gpu' })).body;
    await until(a, first.id, (s) => s.state === 'ready', 'first ready');
    const second = (await b.post('/api/sessions', { profile: 'power8-gpu' })).body;
    await until(b, second.id, (s) => s.state === 'waiting', 'waiting for a GPU');
    expect(sessionPods(cluster.fake).map((p: any) => p.metadata.name)).toContain(podName(second.id));
    expect((await b.delete(`/api/sessions/${second.id}`)).status).toBe(202);
    // Not left to garbage collection: the stop itself deletes the pod, while the GPU is still taken.
    const stopped = await until(b, second.id, (s) => s.state === 'stopped', 'waiting session stopped');
    expect(stopped.events.map((e: any) => e.to).filter(Boolean).slice(-3)).toEqual(['waiting', 'stopping', 'stopped']);
    expect(sessionPods(cluster.fake).map((p: any) => p.metadata.name)).not.toContain(podName(second.id));
    expect(cluster.fake.requests.some((r) => r.verb === 'delete' && r.resource === 'pods' && r.name === podName(second.id))).toBe(true);
    expect((await view(a, first.id)).state).toBe('ready');
    await a.delete(`/api/sessions/${first.id}`);
    await until(a, first.id, (s) => s.state === 'stopped', 'first stopped');
  });

  it('reports an image that cannot be pulled, and a crash loop, fast and readably', async () => {
    for (const [name, image] of [['broken-image', 'registry.example/notebook:missing'], ['crashing', 'registry.example/notebook:crash']]) {
      expect((await admin.post('/api/admin/profiles', { name, displayName: name, image, slots: 5, gpus: 0 })).status).toBe(201);
    }
    cluster.fake.kubelet.failImagePull('registry.example/notebook:missing');
    cluster.fake.kubelet.crashAlways('registry.example/notebook:crash');
    const user = new ApiClient(server.url);
    await user.signup('unlucky@example.com');
    const t0 = Date.now();
    const pull = (await user.post('/api/sessions', { profile: 'broken-image' })).body;
    const failed = await until(user, pull.id, (s) => s.state === 'failed', 'image pull failure', 30_000);
    expect(failed.reason).toMatch(/image .* could not be pulled/i);
    expect(Date.now() - t0).toBeLessThan(30_000);
    await waitFor('the failed pod to go', () => sessionPods(cluster.fake).filter((p: any) => p.metadata.name === podName(pull.id)), (x) => x.length === 0);

    const crash = (await user.post('/api/sessions', { profile: 'crashing' })).body;
    const crashed = await until(user, crash.id, (s) => s.state === 'failed', 'crash loop', 30_000);
    expect(crashed.reason).toMatch(/crashed \d+ times?/);
  });

  it('runs a profile\'s sessions under its RuntimeClass, and fails readably when the cluster has no such class', async () => {
    const sandboxed = await admin.post('/api/admin/profiles', { name: 'sandboxed', displayName: 'Sandboxed CPU', image: 'registry.example/notebook:1', slots: 5, gpus: 0, runtimeClassName: 'gvisor' });
    expect(sandboxed.status).toBe(201);
    expect(sandboxed.body.runtimeClassName).toBe('gvisor');
    expect((await admin.post('/api/admin/profiles', { name: 'no-sandbox', displayName: 'Missing sandbox', image: 'registry.example/notebook:1', slots: 5, gpus: 0, runtimeClassName: 'kata' })).status).toBe(201);
    const bad = await admin.put('/api/admin/profiles/no-sandbox', { runtimeClassName: 'Kata Containers' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/runtimeClassName must be the name of a RuntimeClass/);

    const [a, b] = [new ApiClient(server.url), new ApiClient(server.url)];
    await a.signup('sandboxed@example.com');
    await b.signup('no-sandbox@example.com');
    const ok = (await a.post('/api/sessions', { profile: 'sandboxed' })).body;
    await until(a, ok.id, (s) => s.state === 'ready', 'sandboxed ready');
    expect(sessionPods(cluster.fake).find((p: any) => p.metadata.name === podName(ok.id)).spec.runtimeClassName).toBe('gvisor');

    const missing = (await b.post('/api/sessions', { profile: 'no-sandbox' })).body;
    const failed = await until(b, missing.id, (s) => s.state === 'failed', 'refused by the RuntimeClass admission');
    expect(failed.reason).toBe(
      'The notebook could not be started: the profile "no-sandbox" runs notebooks in the sandboxed runtime "kata" (a Kubernetes RuntimeClass), which this cluster does not have. ' +
        'An administrator must install it (deploy/README.md, "Sandboxed runtimes") or clear the profile\'s runtime class.',
    );
    expect(sessionPods(cluster.fake).filter((p: any) => p.metadata.name === podName(missing.id))).toEqual([]);
    expect(cluster.fake.requests.some((r) => r.verb === 'create' && r.resource === 'pods' && r.status === 403)).toBe(true);

    // Cleared, the profile runs on the cluster's default runtime.
    expect((await admin.put('/api/admin/profiles/no-sandbox', { runtimeClassName: null })).body.runtimeClassName).toBeNull();
    expect((await b.post(`/api/sessions/${missing.id}/resume`)).status).toBe(202);
    await until(b, missing.id, (s) => s.state === 'ready', 'ready on the default runtime');
    expect(sessionPods(cluster.fake).find((p: any) => p.metadata.name === podName(missing.id)).spec).not.toHaveProperty('runtimeClassName');
    await a.delete(`/api/sessions/${ok.id}`);
    await b.delete(`/api/sessions/${missing.id}`);
    await until(a, ok.id, (s) => s.state === 'stopped', 'stopped');
    await until(b, missing.id, (s) => s.state === 'stopped', 'stopped');
  });

  it('fails a session whose pod is evicted or whose node is lost', async () => {
    const user = new ApiClient(server.url);
    await user.signup('evicted@example.com');
    const s = (await user.post('/api/sessions', { profile: 'x86-gpu' })).body;
    await until(user, s.id, (x) => x.state === 'ready', 'ready');
    cluster.fake.kubelet.evict(podName(s.id), 'trialhub-sessions');
    const failed = await until(user, s.id, (x) => x.state === 'failed', 'evicted');
    expect(failed.reason).toMatch(/evict/i);

    const r = (await user.post(`/api/sessions/${s.id}/resume`)).body;
    expect(r.state).toBe('queued');
    const again = await until(user, s.id, (x) => x.state === 'ready', 'ready again');
    const node = sessionPods(cluster.fake).find((p: any) => p.metadata.name === podName(s.id)).spec.nodeName;
    cluster.fake.kubelet.loseNode(node);
    const lost = await until(user, again.id, (x) => x.state === 'failed', 'node lost', 60_000);
    expect(lost.reason).toMatch(/node|responding/i);
  });

  it('hides other users\' sessions (404) and validates ids and profiles', async () => {
    const [owner, other] = [new ApiClient(server.url), new ApiClient(server.url)];
    await owner.signup('owner@example.com');
    await other.signup('other@example.com');
    const s = (await owner.post('/api/sessions', { profile: 'cpu' })).body;
    for (const r of [await other.get(`/api/sessions/${s.id}`), await other.delete(`/api/sessions/${s.id}`), await other.post(`/api/sessions/${s.id}/resume`)]) {
      expect(r.status).toBe(404);
    }
    expect((await owner.get('/api/sessions/not-a-uuid')).status).toBe(400);
    const unknown = await owner.post('/api/sessions', { profile: 'quantum' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toMatch(/Unknown profile "quantum"/);
    const twice = await owner.post('/api/sessions', { profile: 'cpu' });
    expect(twice.status).toBe(409);
    expect(twice.body.message).toMatch(/limit is 1/);
    await owner.delete(`/api/sessions/${s.id}`);
  });
});

describe('deadlines on Kubernetes', () => {
  let cluster: Cluster;
  let server: TestServer;
  afterEach(async () => {
    await server?.stop();
    await cluster?.fake.close();
  });

  it('stops sessions at their maximum runtime and when idle', async () => {
    cluster = await startFakeCluster({ nodes: 2, gpusPerNode: 4, cpuOnlyNodes: 1 });
    server = await startTestServer({ ...cluster.env, SESSION_MAX_RUNTIME: '3s', SESSION_IDLE_TIMEOUT: '2s' });
    const user = new ApiClient(server.url);
    await user.signup('deadline@example.com');
    const s = (await user.post('/api/sessions', { profile: 'cpu' })).body;
    await until(user, s.id, (x) => x.state === 'ready', 'ready');
    const stopped = await until(user, s.id, (x) => x.state === 'stopped', 'stopped by a deadline', 15_000);
    expect(stopped.events.some((e: any) => ['idle', 'max-runtime'].includes(e.reason) && e.to === 'stopping')).toBe(true);
    expect(sessionPods(cluster.fake).filter((p: any) => p.metadata.name === podName(s.id))).toHaveLength(0);
  });

  it('tears down pod, service, secret and claim when the trial expires; no object of that trial is left', async () => {
    cluster = await startFakeCluster({ nodes: 2, gpusPerNode: 4, cpuOnlyNodes: 1 });
    server = await startTestServer({ ...cluster.env, TRIAL_DURATION: '6s' });
    const user = new ApiClient(server.url);
    await user.signup('expiring@example.com');
    const s = (await user.post('/api/sessions', { profile: 'cpu' })).body;
    const ready = await until(user, s.id, (x) => x.state === 'ready', 'ready');
    expect(trialObjects(cluster, ready.trialId)).toHaveLength(4);
    // The pod's own deadline is only a backstop, well after the control plane's graceful stop at the trial's end.
    const backstop = sessionPods(cluster.fake)[0].spec.activeDeadlineSeconds;
    expect(backstop).toBeGreaterThan(6 + 4 * 60);
    expect(backstop).toBeLessThanOrEqual(6 + 5 * 60);
    await waitFor('the trial to end', () => user.get('/api/trial').then((r) => r.body), (t) => t.state === 'ended', 20_000);
    await waitFor('every object of the trial to be gone', () => trialObjects(cluster, ready.trialId), (x) => x.length === 0, 30_000);
    const final = await view(user, s.id);
    // A trial's end is not a failure: stopping (the pod's grace period for the save step), then stopped.
    expect(final.state).toBe('stopped');
    expect(final.reason).toMatch(/trial ended/i);
    expect(final.events.map((e: any) => e.to).filter(Boolean)).toEqual(['queued', 'provisioning', 'starting', 'ready', 'stopping', 'stopped']);
    expect(final.events.find((e: any) => e.to === 'stopping').reason).toBe('trial-ended');
    expect(cluster.fake.requests.some((r) => r.verb === 'delete' && r.resource === 'pods')).toBe(true);
    expect((await user.post('/api/sessions', {})).status).toBe(409);
  });

  it('survives API server 500s, slow answers and dropped watches', async () => {
    cluster = await startFakeCluster({ nodes: 2, gpusPerNode: 4, cpuOnlyNodes: 1 });
    server = await startTestServer(cluster.env);
    const user = new ApiClient(server.url);
    await user.signup('flaky@example.com');
    cluster.fake.faults.failNext(3, 500, { method: 'POST' });
    cluster.fake.faults.failNext(2, 429, { method: 'POST' });
    const s = (await user.post('/api/sessions', { profile: 'cpu' })).body;
    cluster.fake.faults.dropWatches();
    cluster.fake.faults.compactHistory();
    const ready = await until(user, s.id, (x) => x.state === 'ready', 'ready despite faults', 45_000);
    expect(ready.events.some((e: any) => e.to === 'failed')).toBe(false);
    cluster.fake.faults.dropWatches();
    cluster.fake.kubelet.evict(podName(s.id), 'trialhub-sessions');
    await until(user, s.id, (x) => x.state === 'failed', 'eviction seen after the watch was dropped', 45_000);
  });
});
