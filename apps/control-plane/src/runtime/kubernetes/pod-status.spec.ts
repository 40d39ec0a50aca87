import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { buildSessionPod } from './manifests';
import { observePod, podGone } from './pod-status';
import { sessionSpec } from '../../../../../test/support/runtime/session-specs';

const spec = sessionSpec();
const ns = 'trialhub-sessions';
const name = `trialhub-s-${spec.sessionId}`;
const svc = { endpoint: 'service' as const };

function pod(status: V1Pod['status'], nodeName: string | null = 'power8-a', extra: Partial<V1Pod['metadata']> = {}): V1Pod {
  const p = buildSessionPod(spec, { namespace: ns, installationId: 'i' });
  p.metadata = { ...p.metadata, uid: 'u1', ...extra };
  if (nodeName) p.spec!.nodeName = nodeName;
  p.status = status;
  return p;
}
const container = (cs: Partial<V1ContainerStatus>): V1ContainerStatus => ({ name: 'notebook', image: spec.profile.image, imageID: '', ready: false, restartCount: 0, ...cs });
const scheduledRunning = (cs: Partial<V1ContainerStatus>, ready = false): V1Pod['status'] => ({
  phase: 'Running',
  podIP: '10.1.2.3',
  conditions: [
    { type: 'PodScheduled', status: 'True' },
    { type: 'Ready', status: ready ? 'True' : 'False' },
  ],
  containerStatuses: [container(cs)],
});

describe('observePod', () => {
  it('reports Unschedulable as pending with the scheduler\'s message', () => {
    const message = '0/3 nodes are available: 1 Insufficient nvidia.com/gpu, 2 node(s) didn\'t match Pod\'s node affinity/selector.';
    const o = observePod(pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message }] }, null), svc);
    expect(o).toEqual({ sessionId: spec.sessionId, phase: 'pending', reason: 'Unschedulable', message });
  });

  it('reports a pod not yet placed as pending, a placed one as starting', () => {
    expect(observePod(pod({ phase: 'Pending' }, null), svc).phase).toBe('pending');
    const creating = observePod(pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }], containerStatuses: [container({ state: { waiting: { reason: 'ContainerCreating' } } })] }), svc);
    expect(creating).toMatchObject({ phase: 'starting', reason: 'ContainerCreating', node: 'power8-a' });
    expect(observePod(pod(scheduledRunning({ state: { running: { startedAt: new Date() } } })), svc)).toMatchObject({ phase: 'starting', reason: 'Booting' });
  });

  it('reports a Ready pod as ready, with the Service or the pod IP as endpoint', () => {
    const ready = pod(scheduledRunning({ ready: true, state: { running: {} } }, true));
    expect(observePod(ready, svc)).toEqual({ sessionId: spec.sessionId, node: 'power8-a', phase: 'ready', endpoint: { host: `${name}.${ns}.svc`, port: 8888 } });
    expect(observePod(ready, { endpoint: 'pod-ip' }).endpoint).toEqual({ host: '10.1.2.3', port: 8888 });
  });

  it('fails fast and readably when the image cannot be pulled', () => {
    for (const reason of ['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName']) {
      const o = observePod(pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }], containerStatuses: [container({ state: { waiting: { reason, message: 'manifest unknown' } } })] }), svc);
      expect(o).toMatchObject({ phase: 'failed', reason, message: `The notebook image ${spec.profile.image} could not be pulled: manifest unknown` });
    }
  });

  it('counts crashes accurately in a crash loop', () => {
    const looping = (restartCount: number) =>
      observePod(pod(scheduledRunning({ restartCount, state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s restarting failed container' } }, lastState: { terminated: { exitCode: 1, reason: 'Error' } } })), svc);
    expect(looping(0)).toMatchObject({ phase: 'failed', reason: 'CrashLoopBackOff', message: 'The notebook crashed once (last exit code 1, Error)' });
    expect(looping(2).message).toBe('The notebook crashed 3 times (last exit code 1, Error)');
  });

  it('fails on a container that cannot be configured, with the kubelet\'s message', () => {
    const o = observePod(pod({ phase: 'Pending', containerStatuses: [container({ state: { waiting: { reason: 'CreateContainerConfigError', message: `secret "${name}" not found` } } })] }), svc);
    expect(o).toMatchObject({ phase: 'failed', reason: 'CreateContainerConfigError', message: `The notebook container could not be created: secret "${name}" not found` });
  });

  it('explains evictions, deadlines and lost nodes', () => {
    expect(observePod(pod({ phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: memory.' }), svc)).toMatchObject({ phase: 'failed', reason: 'Evicted', message: 'The node ran out of memory and evicted the notebook' });
    expect(observePod(pod({ phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: ephemeral-storage.' }), svc).message).toBe('The node evicted the notebook: The node was low on resource: ephemeral-storage.');
    expect(observePod(pod({ phase: 'Failed', reason: 'DeadlineExceeded', message: 'Pod was active on the node longer than the specified deadline' }), svc)).toMatchObject({ phase: 'failed', reason: 'DeadlineExceeded', message: "The trial's time ran out" });
    expect(observePod(pod({ phase: 'Failed', reason: 'NodeLost' }), svc)).toMatchObject({ phase: 'failed', reason: 'NodeLost', message: 'The GPU node stopped responding' });
    expect(observePod(pod({ phase: 'Unknown', reason: 'NodeLost' }), svc).reason).toBe('NodeLost');
    // The kubelet stops reporting: the pod still says Running and Ready, but its node is NotReady.
    expect(observePod(pod(scheduledRunning({ ready: true }, true)), { endpoint: 'service', nodeReady: false })).toMatchObject({ phase: 'failed', reason: 'NodeLost' });
  });

  it('says why Kubernetes is deleting a pod (DisruptionTarget), before the pod disappears', () => {
    const disrupted = (reason: string, message?: string) =>
      observePod(pod({ ...scheduledRunning({ ready: true }, true), conditions: [{ type: 'Ready', status: 'False' }, { type: 'DisruptionTarget', status: 'True', reason, message }] }, 'power8-a', { deletionTimestamp: new Date() }), svc);
    expect(disrupted('DeletionByTaintManager', 'Taint manager: deleting due to NoExecute taint key node.kubernetes.io/unreachable')).toMatchObject({ phase: 'failed', reason: 'NodeLost', message: 'The GPU node stopped responding' });
    expect(disrupted('TerminationByKubelet', 'The node was low on resource: memory.')).toMatchObject({ phase: 'failed', reason: 'Evicted', message: 'The node ran out of memory and evicted the notebook' });
    expect(disrupted('EvictionByEvictionAPI')).toMatchObject({ phase: 'failed', reason: 'Evicted' });
    expect(disrupted('PreemptionByScheduler')).toMatchObject({ phase: 'failed', reason: 'Preempted' });
  });

  it('still reports a pod being deleted as what it is, with reason Terminating', () => {
    const deleting = pod(scheduledRunning({ ready: true }, true), 'power8-a', { deletionTimestamp: new Date() });
    expect(observePod(deleting, svc)).toMatchObject({ phase: 'ready', reason: 'Terminating' });
    const evictedDeleting = pod({ phase: 'Failed', reason: 'Evicted' }, 'power8-a', { deletionTimestamp: new Date() });
    expect(observePod(evictedDeleting, svc)).toMatchObject({ phase: 'failed', reason: 'Evicted' });
  });

  it('does not blame the notebook for containers stopped by a deletion', () => {
    expect(observePod(pod({ phase: 'Succeeded' }, 'power8-a', { deletionTimestamp: new Date() }), svc)).toMatchObject({ phase: 'failed', reason: 'Deleted' });
    expect(observePod(pod({ phase: 'Succeeded' }), svc)).toMatchObject({ phase: 'failed', reason: 'Exited' });
  });

  it('reports a deleted pod as gone', () => {
    expect(podGone(spec.sessionId)).toMatchObject({ sessionId: spec.sessionId, phase: 'gone' });
  });
});
