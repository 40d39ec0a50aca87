import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKubernetes, type FakeKubernetes } from './index';
import { coreApi, eventually, gpuPod, pod } from './test-client';

const read = (fake: FakeKubernetes, ns: string, name: string) => fake.objects('pods', ns).find((p) => p.metadata.name === name);
const condition = (p: any, type: string) => p?.status?.conditions?.find((c: any) => c.type === type);
const eventsFor = (fake: FakeKubernetes, ns: string, name: string) => fake.objects('events', ns).filter((e) => e.involvedObject.name === name);

describe('fake cluster: scheduler and kubelet', () => {
  let fake: FakeKubernetes;
  let core: ReturnType<typeof coreApi>['core'];

  beforeAll(async () => {
    // Default nodes: gpu-ppc64le-1 and gpu-amd64-1 with 1 GPU each, plus cpu-amd64-1.
    fake = await startFakeKubernetes({ port: 0, nodes: 2, gpusPerNode: 1, cpuOnlyNodes: 1, kubeletDelayMs: 10 });
    core = coreApi(fake).core;
  });
  afterAll(() => fake.close());

  it('starts with labelled, tainted GPU nodes: half ppc64le, half amd64, plus CPU-only nodes', () => {
    const nodes = fake.objects('nodes');
    expect(nodes.map((n) => [n.metadata.name, n.metadata.labels['kubernetes.io/arch'], n.status.allocatable['nvidia.com/gpu']])).toEqual([
      ['gpu-ppc64le-1', 'ppc64le', '1'],
      ['gpu-amd64-1', 'amd64', '1'],
      ['cpu-amd64-1', 'amd64', undefined],
    ]);
    expect(nodes[0].metadata.labels['nvidia.com/gpu.present']).toBe('true');
    expect(nodes[0].spec.taints).toEqual([{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }]);
    expect(nodes[2].spec.taints).toBeUndefined();
  });

  it('moves a pod through real phases and container states to Ready, with Scheduled/Pulling/Pulled/Created/Started events', async () => {
    const ns = 'lifecycle';
    const states: string[] = [];
    await core.createNamespacedPod({ namespace: ns, body: gpuPod('nb', 1, 'ppc64le') });
    const ready = await eventually('Ready', () => {
      const p = read(fake, ns, 'nb');
      const c = p?.status?.containerStatuses?.[0];
      const state = `${p?.status?.phase}/${c ? Object.keys(c.state)[0] + (c.state.waiting ? `:${c.state.waiting.reason}` : '') : '-'}/${c?.ready ?? false}`;
      if (states[states.length - 1] !== state) states.push(state);
      return p;
    }, (p) => condition(p, 'Ready')?.status === 'True');
    expect(states).toContain('Running/running/true');
    expect(states.some((s) => s.startsWith('Pending/waiting:ContainerCreating'))).toBe(true);
    expect(ready.spec.nodeName).toBe('gpu-ppc64le-1');
    expect(ready.status).toMatchObject({ phase: 'Running', hostIP: '127.0.0.1', podIP: '127.0.0.1', qosClass: 'BestEffort' });
    expect(ready.status.startTime).toBeDefined();
    expect(ready.status.containerStatuses[0]).toMatchObject({ name: 'main', ready: true, started: true, restartCount: 0, state: { running: { startedAt: expect.any(String) } } });
    expect(['PodScheduled', 'Initialized', 'ContainersReady', 'Ready'].map((t) => condition(ready, t)?.status)).toEqual(['True', 'True', 'True', 'True']);
    const reasons = eventsFor(fake, ns, 'nb').map((e) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(['Scheduled', 'Pulling', 'Pulled', 'Created', 'Started']));
    expect(eventsFor(fake, ns, 'nb').find((e) => e.reason === 'Scheduled')).toMatchObject({ type: 'Normal', message: `Successfully assigned ${ns}/nb to gpu-ppc64le-1`, source: { component: 'default-scheduler' } });
  });

  it('leaves a pod Unschedulable with the real scheduler message and a FailedScheduling event, and schedules it when a GPU frees', async () => {
    const ns = 'queue';
    await core.createNamespacedPod({ namespace: ns, body: gpuPod('second', 1, 'ppc64le') });
    const waiting = await eventually('Unschedulable', () => read(fake, ns, 'second'), (p) => condition(p, 'PodScheduled')?.reason === 'Unschedulable');
    const message = condition(waiting, 'PodScheduled').message;
    expect(message).toBe(
      "0/3 nodes are available: 1 Insufficient nvidia.com/gpu, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.",
    );
    expect(condition(waiting, 'PodScheduled').status).toBe('False');
    expect(waiting.status.phase).toBe('Pending');
    expect(eventsFor(fake, ns, 'second').find((e) => e.reason === 'FailedScheduling')).toMatchObject({ type: 'Warning', message });
    await core.deleteNamespacedPod({ namespace: 'lifecycle', name: 'nb' });
    const placed = await eventually('scheduled after the GPU freed', () => read(fake, ns, 'second'), (p) => p?.spec.nodeName === 'gpu-ppc64le-1');
    expect(condition(placed, 'PodScheduled').status).toBe('True');
  });

  it('honours node affinity and tolerations; a pod without GPU toleration runs on the CPU node', async () => {
    const ns = 'placement';
    await core.createNamespacedPod({ namespace: ns, body: pod('plain') });
    await core.createNamespacedPod({
      namespace: ns,
      body: pod('affine', {
        spec: {
          tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists' }],
          affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] }, { key: 'nvidia.com/gpu.present', operator: 'Exists' }] }] } } },
        },
      }),
    });
    const plain = await eventually('plain scheduled', () => read(fake, ns, 'plain'), (p) => !!p?.spec.nodeName);
    const affine = await eventually('affine scheduled', () => read(fake, ns, 'affine'), (p) => !!p?.spec.nodeName);
    expect(plain.spec.nodeName).toBe('cpu-amd64-1');
    expect(affine.spec.nodeName).toBe('gpu-amd64-1');
    await core.createNamespacedPod({ namespace: ns, body: pod('huge', { container: { resources: { requests: { cpu: '100', memory: '1Ti' } } } }) });
    const huge = await eventually('huge unschedulable', () => read(fake, ns, 'huge'), (p) => condition(p, 'PodScheduled')?.reason === 'Unschedulable');
    expect(condition(huge, 'PodScheduled').message).toMatch(/^0\/3 nodes are available: 1 Insufficient cpu, 1 Insufficient memory, 2 node\(s\) had untolerated taint \{nvidia.com\/gpu: present\}\./);
    await core.deleteNamespacedPod({ namespace: ns, name: 'huge' });
    expect(read(fake, ns, 'huge')).toBeUndefined();
  });

  it('reports an image that cannot be pulled: ErrImagePull, then ImagePullBackOff, with Failed and BackOff events', async () => {
    const ns = 'pull';
    fake.kubelet.failImagePull('registry.example/missing:1');
    await core.createNamespacedPod({ namespace: ns, body: pod('bad-image', { container: { image: 'registry.example/missing:1' } }) });
    const errPull = await eventually('ErrImagePull', () => read(fake, ns, 'bad-image'), (p) => p?.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ErrImagePull');
    expect(errPull.status.containerStatuses[0].state.waiting.message).toMatch(/^Failed to pull image "registry.example\/missing:1": /);
    expect(errPull.status.phase).toBe('Pending');
    const backOff = await eventually('ImagePullBackOff', () => read(fake, ns, 'bad-image'), (p) => p?.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ImagePullBackOff');
    expect(backOff.status.containerStatuses[0].state.waiting.message).toBe('Back-off pulling image "registry.example/missing:1"');
    const events = eventsFor(fake, ns, 'bad-image');
    expect(events.map((e) => `${e.type} ${e.reason} ${e.message.slice(0, 22)}`)).toEqual(
      expect.arrayContaining(['Warning Failed Error: ErrImagePull', 'Normal BackOff Back-off pulling image', 'Warning Failed Error: ImagePullBackOf']),
    );
  });

  it('crash-loops a container: terminated Error, restart, CrashLoopBackOff with a growing restartCount', async () => {
    const ns = 'crash';
    fake.kubelet.crashAlways('registry.example/crash:1');
    await core.createNamespacedPod({ namespace: ns, body: pod('crasher', { container: { image: 'registry.example/crash:1' } }) });
    const seen = new Set<string>();
    const looping = await eventually('CrashLoopBackOff twice', () => {
      const c = read(fake, ns, 'crasher')?.status?.containerStatuses?.[0];
      if (c?.state?.terminated) seen.add(`terminated ${c.state.terminated.reason} ${c.state.terminated.exitCode}`);
      return c;
    }, (c) => c?.state?.waiting?.reason === 'CrashLoopBackOff' && c.restartCount >= 2);
    expect(seen).toContain('terminated Error 1');
    expect(looping.state.waiting.message).toMatch(/^back-off (10|20|40)s restarting failed container=main pod=crasher_crash\([0-9a-f-]+\)$/);
    expect(looping.lastState.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
    expect(read(fake, ns, 'crasher').status.phase).toBe('Running');
    expect(eventsFor(fake, ns, 'crasher').find((e) => e.reason === 'BackOff')?.message).toMatch(/^Back-off restarting failed container main in pod crasher_crash/);

    await core.createNamespacedPod({ namespace: ns, body: pod('once', { spec: { restartPolicy: 'Never' } }) });
    await eventually('running', () => read(fake, ns, 'once'), (p) => p?.status?.phase === 'Running');
    fake.kubelet.crashContainer('once', ns);
    const failed = await eventually('Failed (restartPolicy Never)', () => read(fake, ns, 'once'), (p) => p?.status?.phase === 'Failed');
    expect(failed.status.containerStatuses[0].restartCount).toBe(0);

    await core.createNamespacedPod({ namespace: ns, body: pod('restarts') });
    await eventually('running', () => read(fake, ns, 'restarts'), (p) => p?.status?.phase === 'Running');
    fake.kubelet.crashContainer('restarts', ns);
    const restarted = await eventually('restarted once', () => read(fake, ns, 'restarts'), (p) => p?.status?.containerStatuses?.[0]?.restartCount === 1 && !!p.status.containerStatuses[0].state.running);
    expect(restarted.status.containerStatuses[0].lastState).toEqual({});
  });

  it('fails container creation with CreateContainerConfigError when a referenced secret is missing, and starts once it exists', async () => {
    const ns = 'config';
    await core.createNamespacedPod({ namespace: ns, body: pod('needs-secret', { container: { env: [{ name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'creds', key: 'token' } } }] } }) });
    const stuck = await eventually('CreateContainerConfigError', () => read(fake, ns, 'needs-secret'), (p) => p?.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CreateContainerConfigError');
    expect(stuck.status.containerStatuses[0].state.waiting.message).toBe('secret "creds" not found');
    await core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 'creds' }, stringData: { token: 't' } } });
    await eventually('running once the secret exists', () => read(fake, ns, 'needs-secret'), (p) => p?.status?.phase === 'Running');
  });

  it('enforces activeDeadlineSeconds, evicts on request, and honours setReady and pause/resume', async () => {
    const ns = 'deadline';
    await core.createNamespacedPod({ namespace: ns, body: pod('short', { spec: { activeDeadlineSeconds: 1 } }) });
    const expired = await eventually('DeadlineExceeded', () => read(fake, ns, 'short'), (p) => p?.status?.phase === 'Failed', 5_000);
    expect(expired.status).toMatchObject({ reason: 'DeadlineExceeded', message: 'Pod was active on the node longer than the specified deadline' });
    expect(expired.status.containerStatuses[0].state.terminated).toMatchObject({ exitCode: 137 });

    await core.createNamespacedPod({ namespace: ns, body: pod('victim') });
    await eventually('running', () => read(fake, ns, 'victim'), (p) => condition(p, 'Ready')?.status === 'True');
    fake.kubelet.setReady('victim', false, ns);
    expect(condition(read(fake, ns, 'victim'), 'Ready').status).toBe('False');
    fake.kubelet.setReady('victim', true, ns);
    expect(condition(read(fake, ns, 'victim'), 'Ready').status).toBe('True');
    fake.kubelet.evict('victim', ns);
    const evicted = read(fake, ns, 'victim');
    expect(evicted.status).toMatchObject({ phase: 'Failed', reason: 'Evicted' });
    expect(evicted.status.message).toMatch(/^The node was low on resource: memory\./);
    expect(condition(evicted, 'DisruptionTarget')).toMatchObject({ status: 'True', reason: 'TerminationByKubelet' });
    expect(eventsFor(fake, ns, 'victim').some((e) => e.reason === 'Evicted' && e.type === 'Warning')).toBe(true);

    fake.kubelet.pause();
    await core.createNamespacedPod({ namespace: ns, body: pod('frozen') });
    await new Promise((r) => setTimeout(r, 150));
    expect(read(fake, ns, 'frozen').status.containerStatuses).toBeUndefined();
    fake.kubelet.resume();
    await eventually('progress after resume', () => read(fake, ns, 'frozen'), (p) => p?.status?.phase === 'Running');
    expect(() => fake.kubelet.evict('no-such-pod', ns)).toThrow(/is not running on any node/);
  });

  it('loses a node: NotReady with unreachable taints, its pods evicted by the taint manager and removed, new pods go elsewhere', async () => {
    const ns = 'node-loss';
    await core.createNamespacedPod({ namespace: ns, body: gpuPod('on-amd', 1, 'amd64') });
    const running = await eventually('running', () => read(fake, ns, 'on-amd'), (p) => p?.status?.phase === 'Running');
    expect(running.spec.nodeName).toBe('gpu-amd64-1');
    const disruption: any[] = [];
    fake.kubelet.loseNode('gpu-amd64-1');
    const node = fake.objects('nodes').find((n) => n.metadata.name === 'gpu-amd64-1');
    expect(condition(node, 'Ready')).toMatchObject({ status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' });
    expect(node.spec.taints.map((t: any) => `${t.key}:${t.effect}`)).toEqual(['nvidia.com/gpu:NoSchedule', 'node.kubernetes.io/unreachable:NoSchedule', 'node.kubernetes.io/unreachable:NoExecute']);
    expect(condition(read(fake, ns, 'on-amd'), 'Ready').status).toBe('False');
    await eventually('taint manager marks the pod', () => read(fake, ns, 'on-amd'), (p) => {
      if (p && condition(p, 'DisruptionTarget')) disruption.push(condition(p, 'DisruptionTarget'));
      return !p || !!p.metadata.deletionTimestamp;
    });
    expect(disruption[0]).toMatchObject({ status: 'True', reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint' });
    await eventually('the pod removed', () => read(fake, ns, 'on-amd'), (p) => p === undefined);
    await core.createNamespacedPod({ namespace: ns, body: gpuPod('replacement', 1, 'amd64') });
    const stuck = await eventually('unschedulable on the lost node', () => read(fake, ns, 'replacement'), (p) => condition(p, 'PodScheduled')?.reason === 'Unschedulable');
    expect(condition(stuck, 'PodScheduled').message).toMatch(/node\(s\) had untolerated taint \{node.kubernetes.io\/unreachable: \}/);
  });
});
