import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKubernetes, type FakeKubernetes } from './index';
import { coreApi, eventually, pod, statusOf } from './test-client';

describe('fake API server: core/v1 objects through client-node', () => {
  let fake: FakeKubernetes;
  let core: ReturnType<typeof coreApi>['core'];
  const namespace = 'api-test';

  beforeAll(async () => {
    fake = await startFakeKubernetes({ port: 0, kubeletDelayMs: 10, cpuOnlyNodes: 1 });
    core = coreApi(fake).core;
  });
  afterAll(() => fake.close());

  it('creates objects with uid, creationTimestamp, generation and a growing resourceVersion; auto-creates the namespace', async () => {
    const a = await core.createNamespacedSecret({ namespace, body: { metadata: { name: 'a', labels: { tier: 'x' } }, stringData: { token: 'abc' } } });
    const b = await core.createNamespacedSecret({ namespace, body: { metadata: { generateName: 'b-' }, data: { k: Buffer.from('v').toString('base64') } } });
    expect(a.metadata!.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.metadata!.creationTimestamp).toBeInstanceOf(Date);
    expect(a.metadata!.generation).toBe(1);
    expect(a.data).toEqual({ token: Buffer.from('abc').toString('base64') });
    expect(b.metadata!.name).toMatch(/^b-[a-z0-9]{5}$/);
    expect(Number(b.metadata!.resourceVersion)).toBeGreaterThan(Number(a.metadata!.resourceVersion));
    const ns = await core.readNamespace({ name: namespace });
    expect(ns.status?.phase).toBe('Active');
    const list = await core.listNamespacedSecret({ namespace });
    expect(list.items.map((s) => s.metadata!.name)).toEqual(['a', b.metadata!.name]);
    expect(Number(list.metadata!.resourceVersion)).toBeGreaterThanOrEqual(Number(b.metadata!.resourceVersion));
    expect((await core.createNamespace({ body: { metadata: { name: 'explicit-ns' } } })).metadata!.name).toBe('explicit-ns');
  });

  it('answers 404, 409 AlreadyExists and 409 Conflict with real Status bodies', async () => {
    expect(await statusOf(core.readNamespacedPod({ namespace, name: 'nope' }))).toEqual({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'pods "nope" not found', reason: 'NotFound', details: { name: 'nope', kind: 'pods' }, code: 404,
    });
    await core.createNamespacedService({ namespace, body: { metadata: { name: 'svc' }, spec: { ports: [{ port: 80 }], selector: { app: 'demo' } } } });
    const exists = await statusOf(core.createNamespacedService({ namespace, body: { metadata: { name: 'svc' }, spec: { ports: [{ port: 80 }] } } }));
    expect(exists).toMatchObject({ code: 409, reason: 'AlreadyExists', message: 'services "svc" already exists', details: { name: 'svc', kind: 'services' } });
    const svc = await core.readNamespacedService({ namespace, name: 'svc' });
    expect(svc.spec!.clusterIP).toMatch(/^10\.96\./);
    const stale = { ...svc, metadata: { ...svc.metadata, resourceVersion: '1' } };
    const conflict = await statusOf(core.replaceNamespacedService({ namespace, name: 'svc', body: stale }));
    expect(conflict).toMatchObject({ code: 409, reason: 'Conflict' });
    expect(conflict.message).toMatch(/the object has been modified; please apply your changes to the latest version and try again/);
    expect(await statusOf(core.deleteNamespacedService({ namespace, name: 'gone' }))).toMatchObject({ code: 404, reason: 'NotFound' });
  });

  it('rejects objects that fail the official schema with 422 Invalid, naming the field', async () => {
    const bad = await statusOf(core.createNamespacedPod({ namespace, body: { metadata: { name: 'bad-port' }, spec: { containers: [{ name: 'main', image: 'x', ports: [{ containerPort: 'http' as any }] }] } } }));
    expect(bad).toMatchObject({ kind: 'Status', code: 422, reason: 'Invalid', details: { name: 'bad-port', kind: 'Pod' } });
    expect(bad.message).toMatch(/^Pod "bad-port" is invalid: spec\.containers\[0\]\.ports\[0\]\.containerPort: Invalid value: must be integer/);
    expect(bad.details.causes[0]).toMatchObject({ field: 'spec.containers[0].ports[0].containerPort', reason: 'FieldValueInvalid' });
    const missing = await statusOf(core.createNamespacedPod({ namespace, body: { metadata: { name: 'no-containers' }, spec: {} as any } }));
    expect(missing.details.causes).toContainEqual({ reason: 'FieldValueRequired', field: 'spec.containers', message: 'Required value' });
    const noName = await statusOf(core.createNamespacedSecret({ namespace, body: { metadata: {} } }));
    expect(noName.message).toBe('Secret "" is invalid: metadata.name: Required value: name or generateName is required');
    const badName = await statusOf(core.createNamespacedSecret({ namespace, body: { metadata: { name: 'Not_Valid' } } }));
    expect(badName.message).toMatch(/metadata\.name: Invalid value: "Not_Valid": a lowercase RFC 1123 subdomain/);
    const badLabel = await statusOf(core.createNamespacedSecret({ namespace, body: { metadata: { name: 'l', labels: { 'trialhub.io/session': 'has spaces' } } } }));
    expect(badLabel).toMatchObject({ code: 422, details: { causes: [{ field: 'metadata.labels' }] } });
    expect(badLabel.message).toMatch(/Invalid value: "has spaces": a valid label must be an empty string/);
    const badPolicy = await statusOf(core.createNamespacedPod({ namespace, body: pod('p', { spec: { restartPolicy: 'Sometimes' } }) as any }));
    expect(badPolicy.message).toMatch(/spec\.restartPolicy: Unsupported value: "Sometimes"/);
  });

  it('patches with JSON patch (client-node default), merge patch and strategic merge patch', async () => {
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'cm', labels: { a: '1' } }, data: { x: '1' } } });
    const jsonPatched = await core.patchNamespacedConfigMap({ namespace, name: 'cm', body: [{ op: 'add', path: '/data/y', value: '2' }, { op: 'remove', path: '/data/x' }] });
    expect(jsonPatched.data).toEqual({ y: '2' });
    const merged = await core.patchNamespacedConfigMap({ namespace, name: 'cm', body: { metadata: { labels: { b: '2', a: null } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    expect(merged.metadata!.labels).toEqual({ b: '2' });
    const strategic = await core.patchNamespacedConfigMap({ namespace, name: 'cm', body: { data: { z: '3' } } }, setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch));
    expect(strategic.data).toEqual({ y: '2', z: '3' });
    const failedTest = await statusOf(core.patchNamespacedConfigMap({ namespace, name: 'cm', body: [{ op: 'test', path: '/data/y', value: 'nope' }] }));
    expect(failedTest.code).toBe(422);
    const stale = await statusOf(core.patchNamespacedConfigMap({ namespace, name: 'cm', body: { metadata: { resourceVersion: '2' } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch)));
    expect(stale.reason).toBe('Conflict');
    const badLabel = await statusOf(core.patchNamespacedConfigMap({ namespace, name: 'cm', body: { metadata: { labels: { ok: '-bad-' } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch)));
    expect(badLabel.code).toBe(422);
  });

  it('keeps a pod spec immutable except image, activeDeadlineSeconds and tolerations, and serves pods/status', async () => {
    const created = await core.createNamespacedPod({ namespace, body: pod('immutable', { spec: { activeDeadlineSeconds: 3600 } }) });
    expect(created.status!.phase).toBe('Pending');
    expect(created.spec!.restartPolicy).toBe('Always');
    const changeResources = await statusOf(
      core.patchNamespacedPod({ namespace, name: 'immutable', body: [{ op: 'add', path: '/spec/containers/0/resources', value: { limits: { cpu: '2' } } }] }),
    );
    expect(changeResources).toMatchObject({ code: 422, reason: 'Invalid' });
    expect(changeResources.message).toMatch(/spec: Forbidden: pod updates may not change fields other than/);
    const shorter = await core.patchNamespacedPod({ namespace, name: 'immutable', body: [{ op: 'replace', path: '/spec/activeDeadlineSeconds', value: 60 }] });
    expect(shorter.spec!.activeDeadlineSeconds).toBe(60);
    expect(shorter.metadata!.generation).toBe(2);
    const status = await core.readNamespacedPodStatus({ namespace, name: 'immutable' });
    expect(status.status!.phase).toBeDefined();
  });

  it('selects by label (=, !=, in, notin, exists, !exists) and by field (name, namespace, nodeName, phase)', async () => {
    const ns = 'selectors';
    const labelled: Array<{ name: string; labels: Record<string, string> }> = [
      { name: 's1', labels: { app: 'web', tier: 'front' } },
      { name: 's2', labels: { app: 'web', tier: 'back' } },
      { name: 's3', labels: { app: 'db' } },
    ];
    for (const l of labelled) await core.createNamespacedSecret({ namespace: ns, body: { metadata: l } });
    const names = async (labelSelector?: string, fieldSelector?: string) => (await core.listNamespacedSecret({ namespace: ns, labelSelector, fieldSelector })).items.map((s) => s.metadata!.name);
    expect(await names('app=web')).toEqual(['s1', 's2']);
    expect(await names('app=web,tier!=back')).toEqual(['s1']);
    expect(await names('tier in (back, front)')).toEqual(['s1', 's2']);
    expect(await names('app notin (web)')).toEqual(['s3']);
    expect(await names('tier')).toEqual(['s1', 's2']);
    expect(await names('!tier')).toEqual(['s3']);
    expect(await names(undefined, 'metadata.name=s2')).toEqual(['s2']);
    expect(await names(undefined, 'metadata.namespace=selectors,metadata.name!=s1')).toEqual(['s2', 's3']);
    const badSelector = await statusOf(core.listNamespacedSecret({ namespace: ns, fieldSelector: 'spec.secret=x' }));
    expect(badSelector).toMatchObject({ code: 400, reason: 'BadRequest' });
    await core.createNamespacedPod({ namespace: ns, body: pod('cpu-only', { labels: { kind: 'cpu' } }) });
    const running = await eventually('the pod to run', () => core.listPodForAllNamespaces({ fieldSelector: 'status.phase=Running,metadata.namespace=selectors' }), (l) => l.items.length === 1);
    const node = running.items[0].spec!.nodeName!;
    expect(node).toBe('cpu-amd64-1');
    expect((await core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}`, labelSelector: 'kind=cpu' })).items).toHaveLength(1);
  });

  it('pages lists with limit and continue, as kubectl does', async () => {
    const ns = 'paging';
    for (let i = 0; i < 5; i++) await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: `cm-${i}` } } });
    const first = await core.listNamespacedConfigMap({ namespace: ns, limit: 2 });
    expect(first.items.map((c) => c.metadata!.name)).toEqual(['cm-0', 'cm-1']);
    expect(first.metadata!.remainingItemCount).toBe(3);
    const second = await core.listNamespacedConfigMap({ namespace: ns, limit: 10, _continue: first.metadata!._continue });
    expect(second.items.map((c) => c.metadata!.name)).toEqual(['cm-2', 'cm-3', 'cm-4']);
    expect(second.metadata!._continue).toBeUndefined();
  });

  it('binds a PersistentVolumeClaim to a new volume at once, and keeps it while a pod uses it', async () => {
    const ns = 'claims';
    const claim = await core.createNamespacedPersistentVolumeClaim({ namespace: ns, body: { metadata: { name: 'ws' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '5Gi' } } } } });
    expect(claim.status).toMatchObject({ phase: 'Bound', capacity: { storage: '5Gi' } });
    const volume = await core.readPersistentVolume({ name: claim.spec!.volumeName! });
    expect(volume.spec!.claimRef!.uid).toBe(claim.metadata!.uid);
    await core.createNamespacedPod({ namespace: ns, body: pod('user', { spec: { volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'ws' } }] } }) });
    await eventually('the pod to run', () => core.readNamespacedPod({ namespace: ns, name: 'user' }), (p) => p.status!.phase === 'Running');
    const deleting = await core.deleteNamespacedPersistentVolumeClaim({ namespace: ns, name: 'ws' });
    expect(deleting.metadata!.deletionTimestamp).toBeDefined();
    expect(deleting.metadata!.finalizers).toContain('kubernetes.io/pvc-protection');
    expect(fake.objects('persistentvolumeclaims', ns)).toHaveLength(1);
    await core.deleteNamespacedPod({ namespace: ns, name: 'user', gracePeriodSeconds: 0 });
    await eventually('the claim and its volume to go', () => fake.objects('persistentvolumeclaims', ns).length + (fake as any).objects('persistentvolumes').length, (n) => n === 0);
  });

  it('deletes pods gracefully: deletionTimestamp first, removal once the kubelet stopped the containers', async () => {
    const ns = 'graceful';
    await core.createNamespacedPod({ namespace: ns, body: pod('slow') });
    await eventually('running', () => core.readNamespacedPod({ namespace: ns, name: 'slow' }), (p) => p.status!.phase === 'Running');
    const deleting = await core.deleteNamespacedPod({ namespace: ns, name: 'slow', gracePeriodSeconds: 5 });
    expect(deleting.metadata!.deletionTimestamp).toBeDefined();
    expect(deleting.metadata!.deletionGracePeriodSeconds).toBe(5);
    expect((await core.readNamespacedPod({ namespace: ns, name: 'slow' })).metadata!.deletionTimestamp).toBeDefined();
    await eventually('the pod to go', () => fake.objects('pods', ns).length, (n) => n === 0);
    const killing = fake.objects('events', ns).find((e) => e.reason === 'Killing');
    expect(killing.message).toBe('Stopping container main');

    await core.createNamespacedPod({ namespace: ns, body: pod('fast') });
    await eventually('running', () => core.readNamespacedPod({ namespace: ns, name: 'fast' }), (p) => p.status!.phase === 'Running');
    await core.deleteNamespacedPod({ namespace: ns, name: 'fast', gracePeriodSeconds: 0 });
    expect(fake.objects('pods', ns)).toHaveLength(0);
    const secretDelete = await core.deleteNamespacedSecret({ namespace, name: 'a' });
    expect(secretDelete).toMatchObject({ kind: 'Status', status: 'Success', details: { name: 'a', kind: 'secrets' } });
  });

  it('garbage-collects dependants through owner references, unless orphaned; deletes collections by label', async () => {
    const ns = 'owners';
    const owner = await core.createNamespacedPod({ namespace: ns, body: pod('owner') });
    const ref = [{ apiVersion: 'v1', kind: 'Pod', name: 'owner', uid: owner.metadata!.uid!, blockOwnerDeletion: true }];
    await core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 'dep-secret', ownerReferences: ref } } });
    await core.createNamespacedService({ namespace: ns, body: { metadata: { name: 'dep-svc', ownerReferences: ref }, spec: { ports: [{ port: 8888 }] } } });
    await core.deleteNamespacedPod({ namespace: ns, name: 'owner', propagationPolicy: 'Background' });
    await eventually('dependants collected', () => [...fake.objects('secrets', ns), ...fake.objects('services', ns), ...fake.objects('pods', ns)].length, (n) => n === 0);

    const keeper = await core.createNamespacedPod({ namespace: ns, body: pod('keeper') });
    await core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 'orphan', ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'keeper', uid: keeper.metadata!.uid! }] } } });
    await core.deleteNamespacedPod({ namespace: ns, name: 'keeper', propagationPolicy: 'Orphan', gracePeriodSeconds: 0 });
    await new Promise((r) => setTimeout(r, 50));
    const orphan = fake.objects('secrets', ns).find((s) => s.metadata.name === 'orphan');
    expect(orphan.metadata.ownerReferences).toBeUndefined();

    for (const [name, team] of [['c1', 'a'], ['c2', 'a'], ['c3', 'b']]) await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name, labels: { team } } } });
    await core.deleteCollectionNamespacedConfigMap({ namespace: ns, labelSelector: 'team=a' });
    expect(fake.objects('configmaps' as any, ns).map((c) => c.metadata.name)).toEqual(['c3']);
  });
});
