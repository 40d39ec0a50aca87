import { createServer } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKubernetes, type FakeKubernetes } from '../../../../../test/fake-k8s';
import { TransientRuntimeError } from '../session-runtime';
import { isListedApiCall } from './api-calls';
import { observed, runtimeFor } from '../../../../../test/support/runtime/kubernetes-driver';
import type { KubernetesRuntime } from './kubernetes-runtime';
import { checkRestrictedPodSecurity } from './pod-security';
import { sessionSpec } from '../../../../../test/support/runtime/session-specs';
import { waitFor } from '../../../../../test/support/wait';

const GPU_TAINT = { key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' as const };
const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const name = (sessionId: string) => `trialhub-s-${sessionId}`;
const cpuProfile = { ...sessionSpec().profile, name: 'cpu', gpus: 0, nodeSelector: { 'kubernetes.io/arch': 'amd64' }, tolerations: [] };

describe('KubernetesRuntime against the fake API server', () => {
  let fake: FakeKubernetes;
  let namespaceCounter = 0;
  const runtimes: KubernetesRuntime[] = [];
  let ns: string;

  async function started(options: Parameters<typeof runtimeFor>[2] = {}): Promise<KubernetesRuntime> {
    ns = `driver-${++namespaceCounter}`;
    const runtime = runtimeFor(fake, ns, options);
    runtimes.push(runtime);
    await runtime.start();
    return runtime;
  }
  /** As the reconciler does: the trial's workspace claim first, then the session. */
  async function launch(runtime: KubernetesRuntime, spec: ReturnType<typeof sessionSpec>): Promise<void> {
    await runtime.ensureWorkspace({ trialId: spec.trialId, userId: spec.userId, storage: '1Gi' });
    await runtime.launch(spec);
  }
  const objects = (kind: 'pods' | 'secrets' | 'services' | 'persistentvolumeclaims') => fake.objects(kind, ns);
  const named = (kind: 'pods' | 'secrets' | 'services' | 'persistentvolumeclaims', n: string) => objects(kind).find((o: any) => o.metadata.name === n);

  beforeAll(async () => {
    fake = await startFakeKubernetes({
      port: 0,
      kubeletDelayMs: 20,
      nodes: [
        { name: 'power8-a', labels: { 'kubernetes.io/arch': 'ppc64le', 'nvidia.com/gpu.present': 'true' }, gpus: 1, taints: [GPU_TAINT] },
        { name: 'x86-a', labels: { 'kubernetes.io/arch': 'amd64', 'nvidia.com/gpu.present': 'true' }, gpus: 2, taints: [GPU_TAINT] },
        { name: 'cpu-a', labels: { 'kubernetes.io/arch': 'amd64' }, gpus: 0 },
      ],
    });
  });
  afterEach(async () => {
    await Promise.all(runtimes.splice(0).map((r) => r.shutdown()));
  });
  afterAll(async () => {
    await fake?.close();
  });

  it('launches a session to ready: claim, secret, pod and service, dependants owned by the pod, all accepted by the API server', async () => {
    const runtime = await started();
    const spec = sessionSpec({}, uuid(1));
    await runtime.ensureWorkspace({ trialId: spec.trialId, userId: spec.userId, storage: '10Gi' });
    await launch(runtime, spec);
    const ready = await observed(runtime, spec.sessionId, (o) => o?.phase === 'ready', 'ready');
    expect(ready).toMatchObject({ phase: 'ready', endpoint: { host: '127.0.0.1', port: 8888 }, node: 'power8-a' });

    const pod = named('pods', name(spec.sessionId));
    expect(pod.spec.nodeSelector).toEqual({ 'kubernetes.io/arch': 'ppc64le' });
    expect(checkRestrictedPodSecurity(pod)).toEqual([]);
    for (const kind of ['secrets', 'services'] as const) {
      expect(named(kind, name(spec.sessionId)).metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Pod', name: pod.metadata.name, uid: pod.metadata.uid })]);
    }
    expect(named('persistentvolumeclaims', `trialhub-ws-${spec.trialId}`).spec.resources.requests.storage).toBe('10Gi');
    expect(fake.requests.filter((r) => r.status === 422)).toEqual([]);
    await runtime.terminate(spec.sessionId, { gracePeriodSeconds: 0 });
  });

  it('reports Unschedulable with the scheduler\'s message while the GPUs are taken, and ready once one frees up', async () => {
    const runtime = await started();
    const [first, second] = [sessionSpec({}, uuid(2)), sessionSpec({}, uuid(3))];
    await launch(runtime, first);
    await observed(runtime, first.sessionId, (o) => o?.phase === 'ready', 'first ready');
    await launch(runtime, second);
    const waiting = await observed(runtime, second.sessionId, (o) => o?.reason === 'Unschedulable', 'unschedulable');
    expect(waiting!.phase).toBe('pending');
    expect(waiting!.message).toMatch(/Insufficient nvidia\.com\/gpu/);
    await runtime.terminate(first.sessionId);
    await observed(runtime, second.sessionId, (o) => o?.phase === 'ready', 'second ready after the GPU freed');
    await runtime.terminate(second.sessionId, { gracePeriodSeconds: 0 });
  });

  // How fast is a question for a benchmark, not a test: this one asks what the user reads.
  it('fails readably on an image that cannot be pulled and on a crash loop', async () => {
    const runtime = await started();
    fake.kubelet.failImagePull('registry.example/notebook:missing');
    fake.kubelet.crashAlways('registry.example/notebook:crash');
    const pull = sessionSpec({ profile: { ...cpuProfile, image: 'registry.example/notebook:missing' } }, uuid(4));
    const crash = sessionSpec({ profile: { ...cpuProfile, image: 'registry.example/notebook:crash' } }, uuid(5));
    await Promise.all([launch(runtime, pull), launch(runtime, crash)]);
    const pulled = await observed(runtime, pull.sessionId, (o) => o?.phase === 'failed', 'image pull failure');
    expect(pulled!.reason).toMatch(/ErrImagePull|ImagePullBackOff/);
    expect(pulled!.message).toMatch(/^The notebook image registry\.example\/notebook:missing could not be pulled: /);
    const crashed = await observed(runtime, crash.sessionId, (o) => o?.phase === 'failed', 'crash loop');
    expect(crashed).toMatchObject({ reason: 'CrashLoopBackOff' });
    expect(crashed!.message).toMatch(/^The notebook crashed (\d+) times \(last exit code 1, Error\)$/);
    const restarts = named('pods', name(crash.sessionId)).status.containerStatuses[0].restartCount;
    expect(crashed!.message).toContain(`crashed ${restarts + 1} times`);
  });

  it('fails a session whose pod is evicted, or whose node stops responding', async () => {
    const runtime = await started();
    const evicted = sessionSpec({ profile: cpuProfile }, uuid(6));
    await launch(runtime, evicted);
    await observed(runtime, evicted.sessionId, (o) => o?.phase === 'ready', 'ready');
    fake.kubelet.evict(name(evicted.sessionId), ns);
    expect(await observed(runtime, evicted.sessionId, (o) => o?.phase === 'failed', 'evicted')).toMatchObject({ reason: 'Evicted', message: 'The node ran out of memory and evicted the notebook' });

    const lost = sessionSpec({ profile: { ...sessionSpec().profile, nodeSelector: { 'kubernetes.io/arch': 'amd64' } } }, uuid(7));
    await launch(runtime, lost);
    const ready = await observed(runtime, lost.sessionId, (o) => o?.phase === 'ready', 'ready on the x86 GPU node');
    fake.kubelet.loseNode(ready!.node!);
    expect(await observed(runtime, lost.sessionId, (o) => o?.phase === 'failed', 'node lost')).toMatchObject({ reason: 'NodeLost', message: 'The GPU node stopped responding' });
    // The taint manager deletes the pod; the reason stays for the reconciler to read.
    await new Promise((r) => setTimeout(r, 500));
    expect(named('pods', name(lost.sessionId))).toBeUndefined();
    expect(runtime.observe(lost.sessionId)).toMatchObject({ phase: 'failed', reason: 'NodeLost' });
  });

  it('terminate removes pod, secret and service and resolves once the pod is gone; the workspace stays until deleted', async () => {
    const runtime = await started();
    const spec = sessionSpec({ profile: cpuProfile }, uuid(8));
    await runtime.ensureWorkspace({ trialId: spec.trialId, userId: spec.userId, storage: '5Gi' });
    await launch(runtime, spec);
    await observed(runtime, spec.sessionId, (o) => o?.phase === 'ready', 'ready');
    await runtime.terminate(spec.sessionId);
    expect(runtime.observe(spec.sessionId)).toBeUndefined();
    expect([...objects('pods'), ...objects('secrets'), ...objects('services')]).toEqual([]);
    expect(objects('persistentvolumeclaims')).toHaveLength(1);
    await runtime.terminate(spec.sessionId); // again: nothing left, still fine
    await runtime.deleteWorkspace(spec.trialId);
    await runtime.deleteWorkspace(spec.trialId);
    await expect.poll(() => objects('persistentvolumeclaims').length).toBe(0);
  });

  it('launch is idempotent: a second call creates nothing new', async () => {
    const runtime = await started();
    const spec = sessionSpec({ profile: cpuProfile }, uuid(9));
    await launch(runtime, spec);
    const uid = named('pods', name(spec.sessionId)).metadata.uid;
    await launch(runtime, spec);
    await Promise.all([launch(runtime, spec), launch(runtime, spec)]);
    expect(objects('pods').map((p: any) => p.metadata.uid)).toEqual([uid]);
    expect(objects('secrets')).toHaveLength(1);
    expect(objects('services')).toHaveLength(1);
    await observed(runtime, spec.sessionId, (o) => o?.phase === 'ready', 'ready');
    await runtime.terminate(spec.sessionId, { gracePeriodSeconds: 0 });
  });

  it('a launch that meets a finished pod of an earlier run removes it and asks to be retried', async () => {
    const runtime = await started();
    const spec = sessionSpec({ profile: cpuProfile }, uuid(17));
    await launch(runtime, spec);
    await observed(runtime, spec.sessionId, (o) => o?.phase === 'ready', 'ready');
    fake.kubelet.evict(name(spec.sessionId), ns);
    await observed(runtime, spec.sessionId, (o) => o?.reason === 'Evicted', 'evicted');
    await expect(runtime.launch(spec)).rejects.toThrow(/still shutting down/);
    await expect.poll(() => objects('pods').length).toBe(0);
    await runtime.launch(spec);
    await observed(runtime, spec.sessionId, (o) => o?.phase === 'ready', 'ready again');
    await runtime.terminate(spec.sessionId, { gracePeriodSeconds: 0 });
  });

  it('a second launch finishes what an interrupted one began (secret created, pod not)', async () => {
    const runtime = await started({ retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 20 } });
    const spec = sessionSpec({ profile: cpuProfile }, uuid(10));
    fake.faults.failNext(2, 503, { method: 'POST', pathIncludes: `/namespaces/${ns}/pods` });
    await runtime.ensureWorkspace({ trialId: spec.trialId, userId: spec.userId, storage: '1Gi' });
    await expect(runtime.launch(spec)).rejects.toBeInstanceOf(TransientRuntimeError);
    expect(objects('secrets')).toHaveLength(1);
    expect(objects('pods')).toHaveLength(0);
    await launch(runtime, spec);
    const pod = named('pods', name(spec.sessionId));
    expect(named('secrets', name(spec.sessionId)).metadata.ownerReferences).toEqual([expect.objectContaining({ uid: pod.metadata.uid })]);
    expect(named('services', name(spec.sessionId))).toBeDefined();
    await observed(runtime, spec.sessionId, (o) => o?.phase === 'ready', 'ready');
    await runtime.terminate(spec.sessionId, { gracePeriodSeconds: 0 });
  });

  it('retries 500s and 429s on create and succeeds', async () => {
    const runtime = await started();
    const spec = sessionSpec({ profile: cpuProfile }, uuid(11));
    const before = fake.requests.length;
    fake.faults.failNext(3, 500, { method: 'POST' });
    fake.faults.failNext(2, 429, { method: 'POST' });
    await launch(runtime, spec);
    const posts = fake.requests.slice(before).filter((r) => r.method === 'POST');
    expect(posts.filter((r) => r.status === 500)).toHaveLength(3);
    expect(posts.filter((r) => r.status === 429)).toHaveLength(2);
    await observed(runtime, spec.sessionId, (o) => o?.phase === 'ready', 'ready');
    await runtime.terminate(spec.sessionId, { gracePeriodSeconds: 0 });
  });

  it('recovers from dropped watches and compacted history, and still reports changes', async () => {
    const runtime = await started({ resyncIntervalMs: 60_000 });
    const spec = sessionSpec({ profile: cpuProfile }, uuid(12));
    await launch(runtime, spec);
    await observed(runtime, spec.sessionId, (o) => o?.phase === 'ready', 'ready');
    fake.faults.dropWatches();
    fake.faults.compactHistory();
    fake.kubelet.setReady(name(spec.sessionId), false, ns);
    await observed(runtime, spec.sessionId, (o) => o?.phase === 'starting', 'not ready after the watch dropped');
    fake.faults.compactHistory();
    fake.faults.dropWatches();
    fake.kubelet.evict(name(spec.sessionId), ns);
    await observed(runtime, spec.sessionId, (o) => o?.phase === 'failed', 'evicted after the history was compacted');
    await runtime.terminate(spec.sessionId, { gracePeriodSeconds: 0 });
    expect(runtime.observe(spec.sessionId)).toBeUndefined();
  });

  it('restarts the watch with backoff after a server error, from a fresh list', async () => {
    const runtime = await started({ resyncIntervalMs: 60_000 });
    const spec = sessionSpec({ profile: cpuProfile }, uuid(16));
    await launch(runtime, spec);
    await observed(runtime, spec.sessionId, (o) => o?.phase === 'ready', 'ready');
    const before = fake.requests.length;
    fake.faults.failNext(2, 500, { method: 'GET', pathIncludes: `/namespaces/${ns}/pods?watch=true` });
    fake.faults.dropWatches();
    await expect.poll(() => fake.requests.slice(before).filter((r) => r.verb === 'watch' && r.status === 500).length).toBe(2);
    fake.kubelet.setReady(name(spec.sessionId), false, ns);
    await observed(runtime, spec.sessionId, (o) => o?.phase === 'starting', 'not ready, seen by the restarted watch');
    await runtime.terminate(spec.sessionId, { gracePeriodSeconds: 0 });
  });

  it('finds objects a restarted control plane must know about: its pods are adopted, strays listed, other installations ignored', async () => {
    const first = await started();
    const spec = sessionSpec({ profile: cpuProfile }, uuid(13));
    await first.ensureWorkspace({ trialId: spec.trialId, userId: spec.userId, storage: '1Gi' });
    await launch(first, spec);
    await observed(first, spec.sessionId, (o) => o?.phase === 'ready', 'ready');
    await first.shutdown();

    const other = runtimeFor(fake, ns, { installationId: 'someone-else' });
    runtimes.push(other);
    await launch(other, sessionSpec({ profile: cpuProfile }, uuid(14)));

    const restarted = runtimeFor(fake, ns);
    runtimes.push(restarted);
    await restarted.start();
    expect(restarted.observe(spec.sessionId)).toMatchObject({ phase: 'ready' });
    expect(restarted.observe(uuid(14))).toBeUndefined();
    expect(await restarted.listManaged()).toEqual({ sessionIds: [spec.sessionId], trialIds: [spec.trialId] });
    await restarted.terminate(spec.sessionId, { gracePeriodSeconds: 0 });
    await restarted.deleteWorkspace(spec.trialId);
    await other.terminate(uuid(14), { gracePeriodSeconds: 0 });
  });

  it('reports GPU capacity per node, counting its own running pods', async () => {
    const runtime = await started();
    const spec = sessionSpec({}, uuid(15));
    await launch(runtime, spec);
    await observed(runtime, spec.sessionId, (o) => o?.phase === 'ready', 'ready');
    const { nodes } = await runtime.capacity();
    const byName = Object.fromEntries(nodes.map((n) => [n.name, n]));
    expect(byName['power8-a']).toMatchObject({ gpus: 1, gpusUsed: 1, ready: true, labels: expect.objectContaining({ 'kubernetes.io/arch': 'ppc64le' }) });
    expect(byName['cpu-a']).toMatchObject({ gpus: 0, gpusUsed: 0 });
    await runtime.terminate(spec.sessionId, { gracePeriodSeconds: 0 });
  });

  it('reports a session ready only once Jupyter answers the pod\'s readiness probe', async () => {
    const runtime = await started();
    const spec = sessionSpec({ profile: { ...cpuProfile, image: 'registry.example/trialhub/notebook-probed:1.0' } }, uuid(16));
    // The container as a stand-in Jupyter on the pod's IP: its /api answers 503 until the test lets it boot.
    const seen: string[] = [];
    let booted = false;
    fake.kubelet.runContainers(spec.profile.image, async ({ podIP, signal }) => {
      const server = createServer((req, res) => {
        seen.push(`${req.url} ${booted ? 200 : 503}`);
        res.writeHead(booted ? 200 : 503, { 'Content-Type': 'application/json' }).end('{}');
      });
      await new Promise<void>((ok) => server.listen(8888, podIP, ok));
      await new Promise((stop) => signal.addEventListener('abort', stop));
      server.closeAllConnections();
      server.close();
      return 0;
    });
    await launch(runtime, spec);
    await waitFor('two failed probes', () => seen.length, (n) => n >= 2, 15_000, 20);
    expect(seen[0]).toBe(`/notebook/${spec.sessionId}/api 503`);
    expect(named('pods', name(spec.sessionId)).status.phase).toBe('Running');
    expect(runtime.observe(spec.sessionId)).toMatchObject({ phase: 'starting', reason: 'Booting' });
    booted = true;
    const ready = await observed(runtime, spec.sessionId, (o) => o?.phase === 'ready', 'ready');
    expect(seen.at(-1)).toBe(`/notebook/${spec.sessionId}/api 200`);
    // The endpoint is the pod's IP, where the stand-in Jupyter listens.
    const pod = named('pods', name(spec.sessionId));
    expect(ready?.endpoint).toEqual({ host: pod.status.podIP, port: 8888 });
    expect((await fetch(`http://${ready!.endpoint!.host}:${ready!.endpoint!.port}/notebook/${spec.sessionId}/api`)).status).toBe(200);
    await runtime.terminate(spec.sessionId, { gracePeriodSeconds: 0 });
  }, 30_000);

  it('uses only the API calls listed in KUBERNETES_API_CALLS', () => {
    const unlisted = fake.requests.filter((r) => !isListedApiCall(r.resource, r.verb)).map((r) => `${r.verb} ${r.resource}`);
    expect(fake.requests.length).toBeGreaterThan(50);
    expect([...new Set(unlisted)]).toEqual([]);
    const used = new Set(fake.requests.map((r) => `${r.verb} ${r.resource}`));
    for (const call of ['watch pods', 'list pods', 'create pods', 'delete pods', 'create secrets', 'patch secrets', 'create services', 'create persistentvolumeclaims', 'list nodes']) expect(used).toContain(call);
  });
});
