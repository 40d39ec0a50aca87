import { NodeV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKubernetes, type FakeKubernetes } from './index';
import { coreApi, eventually, pod, statusOf } from './test-client';

describe('fake API server: RuntimeClass (node.k8s.io/v1) and its admission plugin', () => {
  let fake: FakeKubernetes;
  let core: ReturnType<typeof coreApi>['core'];
  let node: NodeV1Api;
  const namespace = 'sandboxed';

  beforeAll(async () => {
    fake = await startFakeKubernetes({ port: 0, nodes: 2, kubeletDelayMs: 10, runtimeClasses: [{ metadata: { name: 'gvisor' }, handler: 'runsc' }] });
    const client = coreApi(fake);
    core = client.core;
    node = client.kc.makeApiClient(NodeV1Api);
  });
  afterAll(() => fake.close());

  it('serves RuntimeClass under /apis/node.k8s.io/v1, cluster-scoped, schema-validated, and in discovery', async () => {
    const created = await node.createRuntimeClass({ body: { metadata: { name: 'kata' }, handler: 'kata-qemu', scheduling: { nodeSelector: { 'kubernetes.io/arch': 'ppc64le' } } } });
    expect(created.metadata!.uid).toMatch(/^[0-9a-f-]{36}$/);
    const list = await node.listRuntimeClass();
    expect(list.items.map((c) => `${c.metadata!.name}=${c.handler}`)).toEqual(['gvisor=runsc', 'kata=kata-qemu']);
    expect((await node.readRuntimeClass({ name: 'gvisor' })).apiVersion).toBe('node.k8s.io/v1');
    const invalid = await statusOf(node.createRuntimeClass({ body: { metadata: { name: 'no-handler' } } as any }));
    expect(invalid).toMatchObject({ code: 422, reason: 'Invalid' });
    expect(invalid.details.causes).toContainEqual(expect.objectContaining({ field: 'handler', reason: 'FieldValueRequired' }));
    // Only under its own group: not a core resource, and pods are not in node.k8s.io.
    expect((await fetch(`${fake.url}/api/v1/runtimeclasses`, { headers: { authorization: 'Bearer fake-k8s-token' } })).status).toBe(404);
    expect((await fetch(`${fake.url}/apis/node.k8s.io/v1/namespaces/${namespace}/pods`, { headers: { authorization: 'Bearer fake-k8s-token' } })).status).toBe(404);
    const groups = (await (await fetch(`${fake.url}/apis`)).json()) as { groups: Array<{ name: string; preferredVersion: { groupVersion: string } }> };
    expect(groups.groups.map((g) => g.preferredVersion.groupVersion)).toContain('node.k8s.io/v1');
    const resources = (await (await fetch(`${fake.url}/apis/node.k8s.io/v1`)).json()) as { resources: Array<{ name: string; namespaced: boolean; kind: string }> };
    expect(resources.resources).toContainEqual(expect.objectContaining({ name: 'runtimeclasses', namespaced: false, kind: 'RuntimeClass' }));
    await node.deleteRuntimeClass({ name: 'kata' });
    expect(fake.objects('runtimeclasses').map((c) => c.metadata.name)).toEqual(['gvisor']);
  });

  it('refuses a pod naming a RuntimeClass that does not exist with 403 Forbidden, as the admission plugin does', async () => {
    const refused = await statusOf(core.createNamespacedPod({ namespace, body: pod('sandbox-missing', { spec: { runtimeClassName: 'kata' } }) }));
    expect(refused).toEqual({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 403, reason: 'Forbidden',
      message: 'pods "sandbox-missing" is forbidden: pod rejected: RuntimeClass "kata" not found',
      details: { name: 'sandbox-missing', kind: 'pods' },
    });
    expect(fake.objects('pods', namespace)).toEqual([]);
  });

  it('admits a pod naming an existing RuntimeClass and merges the class\'s scheduling into it', async () => {
    await node.createRuntimeClass({
      body: {
        metadata: { name: 'kata-power' },
        handler: 'kata-qemu',
        overhead: { podFixed: { cpu: '250m', memory: '160Mi' } },
        scheduling: { nodeSelector: { 'kubernetes.io/arch': 'ppc64le' }, tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }] },
      },
    });
    await core.createNamespacedPod({ namespace, body: pod('sandboxed', { spec: { runtimeClassName: 'kata-power' } }) });
    const running = await eventually('the pod running', () => core.readNamespacedPod({ namespace, name: 'sandboxed' }), (p) => p.status?.phase === 'Running');
    expect(running.spec!.runtimeClassName).toBe('kata-power');
    expect(running.spec!.nodeSelector).toEqual({ 'kubernetes.io/arch': 'ppc64le' });
    expect(running.spec!.overhead).toEqual({ cpu: '250m', memory: '160Mi' });
    expect(running.spec!.nodeName).toMatch(/^gpu-ppc64le-/);
    const conflict = await statusOf(core.createNamespacedPod({ namespace, body: pod('wrong-arch', { spec: { runtimeClassName: 'kata-power', nodeSelector: { 'kubernetes.io/arch': 'amd64' } } }) }));
    expect(conflict).toMatchObject({ code: 403, reason: 'Forbidden' });
    expect(conflict.message).toBe('pods "wrong-arch" is forbidden: conflict: runtimeClass.scheduling.nodeSelector[kubernetes.io/arch] = ppc64le; pod.spec.nodeSelector[kubernetes.io/arch] = amd64');
  });
});
