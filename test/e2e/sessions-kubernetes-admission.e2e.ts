import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coreApi } from '../fake-k8s/test-client';
import { ApiClient } from '../support/http';
import { sessionPods, startFakeCluster, waitFor } from '../support/kube';
import { startTestServer, TestServer } from '../support/server';

type Cluster = Awaited<ReturnType<typeof startFakeCluster>>;
const NAMESPACE = 'trialhub-sessions';
const view = (api: ApiClient, id: string) => api.get(`/api/sessions/${id}`).then((r) => r.body);
const until = (api: ApiClient, id: string, pred: (s: any) => boolean, what: string, ms = 20_000) => waitFor(what, () => view(api, id), pred, ms);

/**
 * The sessions namespace as deploy/ sets it up on a real cluster: Pod Security "restricted"
 * enforced, and a ResourceQuota on GPUs. The fake API server admits pods as the real one does.
 */
describe('sessions on Kubernetes under Pod Security "restricted" and a GPU quota', () => {
  let cluster: Cluster;
  let server: TestServer;

  beforeAll(async () => {
    cluster = await startFakeCluster({ nodes: [
      { name: 'x86-a', labels: { 'kubernetes.io/arch': 'amd64', 'nvidia.com/gpu.present': 'true' }, gpus: 4, taints: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }] },
    ] });
    const { core } = coreApi(cluster.fake);
    await core.createNamespace({ body: { metadata: { name: NAMESPACE, labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } } });
    await core.createNamespacedResourceQuota({ namespace: NAMESPACE, body: { metadata: { name: 'session-gpus' }, spec: { hard: { 'requests.nvidia.com/gpu': '1' } } } });
    server = await startTestServer(cluster.env);
  });
  afterAll(async () => {
    await server?.stop();
    await cluster?.fake.close();
  });

  it('runs a session whose pod meets "restricted", and fails the one over the quota with a sentence naming the quota, not RBAC', async () => {
    const [a, b] = [new ApiClient(server.url), new ApiClient(server.url)];
    await a.signup('restricted-a@example.com');
    await b.signup('restricted-b@example.com');
    const first = (await a.post('/api/sessions', { profile: 'x86-gpu' })).body;
    await until(a, first.id, (s) => s.state === 'ready', 'the first session ready under "restricted"');
    expect(cluster.fake.requests.filter((r) => r.verb === 'create' && r.resource === 'pods' && r.status === 403)).toEqual([]);

    const second = (await b.post('/api/sessions', { profile: 'x86-gpu' })).body;
    const failed = await until(b, second.id, (s) => s.state === 'failed', 'the second session refused by the quota');
    expect(failed.reason).toBe(
      'The notebook could not be started: the sessions namespace\'s resource quota "session-gpus" is used up: this notebook asks for requests.nvidia.com/gpu=1, ' +
        'requests.nvidia.com/gpu=1 is already in use, and the quota allows requests.nvidia.com/gpu=1. Try again once other sessions have stopped, or ask an administrator to raise the quota.',
    );
    expect(failed.reason).not.toMatch(/RBAC|permission/);
    expect(sessionPods(cluster.fake).map((p: any) => p.metadata.name)).toEqual([`trialhub-s-${first.id}`]);

    // Once the first has stopped, the quota has room again.
    await a.delete(`/api/sessions/${first.id}`);
    await until(a, first.id, (s) => s.state === 'stopped', 'the first session stopped');
    expect((await b.post(`/api/sessions/${second.id}/resume`)).status).toBe(202);
    await until(b, second.id, (s) => s.state === 'ready', 'the second session ready once the quota had room');
    await b.delete(`/api/sessions/${second.id}`);
    await until(b, second.id, (s) => s.state === 'stopped', 'the second session stopped');
  });
});
