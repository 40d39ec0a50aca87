import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKubernetes, type FakeKubernetes } from './index';
import { coreApi, eventually, gpuPod, pod, statusOf } from './test-client';

const restrictedContainer = { securityContext: { allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } } };

describe('fake API server: admission and deletion as strict as the real one', () => {
  let fake: FakeKubernetes;
  let core: ReturnType<typeof coreApi>['core'];

  beforeAll(async () => {
    fake = await startFakeKubernetes({ port: 0, nodes: 2, gpusPerNode: 4, kubeletDelayMs: 10 });
    core = coreApi(fake).core;
    await core.createNamespace({ body: { metadata: { name: 'restricted-ns', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } } });
    await core.createNamespace({ body: { metadata: { name: 'baseline-ns', labels: { 'pod-security.kubernetes.io/enforce': 'baseline' } } } });
  });
  afterAll(() => fake.close());

  it('refuses a pod that violates Pod Security "restricted" with the real 403 text', async () => {
    const status = await statusOf(core.createNamespacedPod({ namespace: 'restricted-ns', body: pod('loose') }));
    expect(status).toMatchObject({ code: 403, reason: 'Forbidden', details: { name: 'loose', kind: 'pods' } });
    expect(status.message).toBe(
      'pods "loose" is forbidden: violates PodSecurity "restricted:latest": ' +
        'allowPrivilegeEscalation != false (container "main" must set securityContext.allowPrivilegeEscalation=false), ' +
        'unrestricted capabilities (container "main" must set securityContext.capabilities.drop=["ALL"]), ' +
        'runAsNonRoot != true (pod or container "main" must set securityContext.runAsNonRoot=true), ' +
        'seccompProfile (pod or container "main" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
    );
    expect(fake.objects('pods', 'restricted-ns')).toEqual([]);
  });

  it('admits a pod that meets "restricted", and holds baseline namespaces only to baseline', async () => {
    await core.createNamespacedPod({ namespace: 'restricted-ns', body: pod('tight', { container: restrictedContainer }) });
    await core.createNamespacedPod({ namespace: 'baseline-ns', body: pod('plain') });
    const privileged = await statusOf(core.createNamespacedPod({ namespace: 'baseline-ns', body: pod('priv', { container: { securityContext: { privileged: true } }, spec: { hostNetwork: true } }) }));
    expect(privileged.message).toBe('pods "priv" is forbidden: violates PodSecurity "baseline:latest": host namespaces (hostNetwork=true), privileged (container "main" must not set securityContext.privileged=true)');
    // An unlabelled namespace enforces nothing.
    await core.createNamespacedPod({ namespace: 'open-ns', body: pod('anything', { container: { securityContext: { privileged: true } } }) });
  });

  it('refuses a pod over a ResourceQuota with the real "exceeded quota" text; a deleted pod frees its share', async () => {
    const namespace = 'quota-ns';
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    await core.createNamespacedResourceQuota({ namespace, body: { metadata: { name: 'session-gpus' }, spec: { hard: { 'requests.nvidia.com/gpu': '2', pods: '10' } } } });
    await core.createNamespacedPod({ namespace, body: gpuPod('a', 1) });
    await core.createNamespacedPod({ namespace, body: gpuPod('b', 1) });
    const over = await statusOf(core.createNamespacedPod({ namespace, body: gpuPod('c', 1) }));
    expect(over).toMatchObject({ code: 403, reason: 'Forbidden' });
    expect(over.message).toBe('pods "c" is forbidden: exceeded quota: session-gpus, requested: requests.nvidia.com/gpu=1, used: requests.nvidia.com/gpu=2, limited: requests.nvidia.com/gpu=2');
    await eventually('pod a running', () => core.readNamespacedPod({ namespace, name: 'a' }), (p) => p.status?.phase === 'Running');
    await core.deleteNamespacedPod({ namespace, name: 'a', gracePeriodSeconds: 0 });
    await core.createNamespacedPod({ namespace, body: gpuPod('c', 1) });
  });

  it('asks a quota on cpu limits of every pod, in the real words', async () => {
    const namespace = 'quota-cpu-ns';
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    await core.createNamespacedResourceQuota({ namespace, body: { metadata: { name: 'compute' }, spec: { hard: { 'limits.cpu': '4' } } } });
    expect((await statusOf(core.createNamespacedPod({ namespace, body: pod('nolimits') }))).message).toBe('pods "nolimits" is forbidden: failed quota: compute: must specify limits.cpu');
    const big = await statusOf(core.createNamespacedPod({ namespace, body: pod('big', { container: { resources: { limits: { cpu: '6' } } } }) }));
    expect(big.message).toBe('pods "big" is forbidden: exceeded quota: compute, requested: limits.cpu=6, used: limits.cpu=0, limited: limits.cpu=4');
  });

  it('keeps an object with a finalizer it does not know, marked for deletion, until the finalizer is removed', async () => {
    const namespace = 'finalizers-ns';
    await core.createNamespacedSecret({ namespace, body: { metadata: { name: 'kept', finalizers: ['example.com/backup'] }, stringData: { a: 'b' } } });
    await core.deleteNamespacedSecret({ namespace, name: 'kept' });
    const marked = await core.readNamespacedSecret({ namespace, name: 'kept' });
    expect(marked.metadata!.deletionTimestamp).toBeTruthy();
    expect(marked.metadata!.finalizers).toEqual(['example.com/backup']);
    await core.replaceNamespacedSecret({ namespace, name: 'kept', body: { ...marked, metadata: { ...marked.metadata, finalizers: [] } } });
    expect(await statusOf(core.readNamespacedSecret({ namespace, name: 'kept' }))).toMatchObject({ code: 404 });
  });

  it('answers a DELETE with 200 and the object, also while the deletion is still pending', async () => {
    const namespace = 'delete-ns';
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'held', finalizers: ['example.com/hold'] } } });
    const url = (path: string) => `${fake.url}${path}`;
    const headers = { authorization: 'Bearer fake-k8s-token' };
    const pending = await fetch(url(`/api/v1/namespaces/${namespace}/configmaps/held`), { method: 'DELETE', headers });
    expect(pending.status).toBe(200);
    expect((await pending.json()).metadata.deletionTimestamp).toBeTruthy();
    await core.createNamespacedPod({ namespace, body: gpuPod('graceful', 0) });
    await eventually('pod running', () => core.readNamespacedPod({ namespace, name: 'graceful' }), (p) => p.status?.phase === 'Running');
    const graceful = await fetch(url(`/api/v1/namespaces/${namespace}/pods/graceful`), { method: 'DELETE', headers });
    expect(graceful.status).toBe(200);
    const body = await graceful.json();
    expect(body.kind).toBe('Pod');
    expect(body.metadata.deletionTimestamp).toBeTruthy();
  });
});
