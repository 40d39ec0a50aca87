import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKubernetes, type FakeKubernetes } from './index';
import { coreApi, eventually, pod } from './test-client';

/** A container's stand-in: an HTTP server on the pod's IP whose /healthz answers what the test says. */
interface StandInServer {
  podIP: string;
  answer: number;
  answered: number[];
  stopped: boolean;
}

const probed = (name: string, image: string, probe: Record<string, unknown>) =>
  pod(name, { container: { image, ports: [{ name: 'http', containerPort: 8080 }], readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, ...probe } } });

describe('fake kubelet: a readiness probe, run against the container\'s stand-in, gates Ready', () => {
  let fake: FakeKubernetes;
  let core: ReturnType<typeof coreApi>['core'];
  const namespace = 'probes';
  const servers = new Map<string, StandInServer>();

  beforeAll(async () => {
    fake = await startFakeKubernetes({ port: 0, cpuOnlyNodes: 1, kubeletDelayMs: 10 });
    core = coreApi(fake).core;
    fake.kubelet.runContainers((_pod, c) => c.image.startsWith('registry.example/probed'), async ({ pod: p, podIP, signal }) => {
      const state: StandInServer = { podIP, answer: 503, answered: [], stopped: false };
      servers.set(p.metadata.name, state);
      const server: Server = createServer((req, res) => {
        const status = req.url === '/healthz' ? state.answer : 404;
        state.answered.push(status);
        res.writeHead(status).end();
      });
      await new Promise<void>((ok) => server.listen(8080, podIP, ok));
      await new Promise((stop) => signal.addEventListener('abort', stop));
      state.stopped = true;
      server.closeAllConnections();
      await new Promise((closed) => server.close(closed));
      return 0;
    });
  });
  afterAll(() => fake.close());

  const read = (name: string) => core.readNamespacedPod({ namespace, name });
  const readyCondition = (p: any) => p.status?.conditions?.find((c: any) => c.type === 'Ready')?.status;
  const server = (name: string) => eventually(`${name}'s stand-in`, () => servers.get(name), (s) => !!s).then((s) => s!);

  it('keeps the pod unready while the probe fails, and makes it Ready at the first success', async () => {
    await core.createNamespacedPod({ namespace, body: probed('slow-start', 'registry.example/probed:1', { periodSeconds: 1, failureThreshold: 3 }) });
    const standIn = await server('slow-start');
    // The pod gets its own loopback address, where its container listens.
    expect((await read('slow-start')).status?.podIP).toBe(standIn.podIP);
    expect(standIn.podIP).toMatch(/^127\.\d+\.\d+\.\d+$/);
    expect(standIn.podIP).not.toBe('127.0.0.1');
    await eventually('two failed probes', () => standIn.answered.length, (n) => n >= 2);
    const meanwhile = await read('slow-start');
    expect(meanwhile.status?.phase).toBe('Running');
    expect(readyCondition(meanwhile)).toBe('False');
    expect(meanwhile.status?.containerStatuses?.[0]?.ready).toBe(false);
    const unhealthy = fake.objects('events', namespace).filter((e: any) => e.reason === 'Unhealthy' && e.involvedObject.name === 'slow-start');
    expect(unhealthy[0]?.message).toBe('Readiness probe failed: HTTP probe failed with statuscode: 503');

    standIn.answer = 200;
    const ready = await eventually('Ready', () => read('slow-start'), (p) => readyCondition(p) === 'True');
    expect(ready.status?.containerStatuses?.[0]?.ready).toBe(true);
    expect(standIn.answered.at(-1)).toBe(200);
    expect(standIn.answered.filter((s) => s === 200)).toHaveLength(1);
  }, 30_000);

  it('turns unready only after failureThreshold failures in a row, and ready again after successThreshold successes', async () => {
    await core.createNamespacedPod({ namespace, body: probed('flaky', 'registry.example/probed:2', { periodSeconds: 1, failureThreshold: 2, successThreshold: 2 }) });
    const standIn = await server('flaky');
    standIn.answer = 200;
    await eventually('Ready', () => read('flaky'), (p) => readyCondition(p) === 'True');
    expect(standIn.answered.filter((s) => s === 200).length).toBeGreaterThanOrEqual(2);

    standIn.answer = 500;
    const failedBefore = standIn.answered.length;
    await eventually('one failed probe', () => standIn.answered.length - failedBefore, (n) => n >= 1);
    expect(readyCondition(await read('flaky'))).toBe('True');
    const unready = await eventually('unready', () => read('flaky'), (p) => readyCondition(p) === 'False');
    expect(unready.status?.conditions?.find((c: any) => c.type === 'Ready')?.reason).toBe('ContainersNotReady');
    expect(standIn.answered.slice(failedBefore).filter((s) => s === 500).length).toBeGreaterThanOrEqual(2);
    expect(unready.status?.phase).toBe('Running');

    standIn.answer = 200;
    const okBefore = standIn.answered.length;
    await eventually('one good probe', () => standIn.answered.length - okBefore, (n) => n >= 1);
    expect(readyCondition(await read('flaky'))).toBe('False');
    await eventually('ready again', () => read('flaky'), (p) => readyCondition(p) === 'True');
  }, 30_000);

  it('stops the stand-in when the pod is deleted', async () => {
    await core.deleteNamespacedPod({ namespace, name: 'flaky', gracePeriodSeconds: 5 });
    await eventually('flaky gone', () => read('flaky').then(() => false, () => true), (gone) => gone);
    expect(servers.get('flaky')?.stopped).toBe(true);
  }, 30_000);

  it('fails the probe with the kubelet\'s words when nothing listens on the port', async () => {
    fake.kubelet.runContainers('registry.example/deaf:1', ({ signal }) => new Promise((done) => signal.addEventListener('abort', () => done(0))));
    await core.createNamespacedPod({ namespace, body: probed('deaf', 'registry.example/deaf:1', { periodSeconds: 1 }) });
    const events = await eventually('an Unhealthy event', () => fake.objects('events', namespace).filter((e: any) => e.reason === 'Unhealthy' && e.involvedObject.name === 'deaf'), (e) => e.length > 0);
    const ip = (await read('deaf')).status?.podIP;
    expect(events[0].message).toBe(`Readiness probe failed: Get "http://${ip}:8080/healthz": dial tcp ${ip}:8080: connect: connection refused`);
    expect(readyCondition(await read('deaf'))).toBe('False');
  }, 30_000);
});
