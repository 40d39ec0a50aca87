import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import type { RuntimeObservation } from '../session-runtime';
import { LABEL } from './labels';
import { NOTEBOOK_PORT } from './manifests';

/** How the control plane reaches a ready notebook. */
export type EndpointMode = 'service' | 'pod-ip';

export interface PodStatusContext {
  endpoint: EndpointMode;
  /** The pod's node as last seen: false when it is NotReady or gone, undefined when unknown. */
  nodeReady?: boolean;
}

const IMAGE_PULL_FAILURES = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull', 'RegistryUnavailable']);
const CONFIG_FAILURES = new Set(['CreateContainerConfigError', 'CreateContainerError', 'RunContainerError']);

/**
 * Pure: what one pod object says about its session. Order matters: a definite failure wins
 * over readiness, and a pod being deleted is still reported as what it is.
 */
export function observePod(pod: V1Pod, ctx: PodStatusContext): RuntimeObservation {
  const sessionId = pod.metadata?.labels?.[LABEL.session] ?? '';
  const node = pod.spec?.nodeName || undefined;
  const base = { sessionId, ...(node ? { node } : {}) };
  const observed = classify(pod, ctx);
  const observation: RuntimeObservation = { ...base, ...observed };
  if (pod.metadata?.deletionTimestamp && observation.phase !== 'failed') {
    observation.reason = 'Terminating';
    observation.message = 'The notebook is shutting down';
  }
  return observation;
}

/** A DELETED watch event (or a pod missing from a relist). */
export function podGone(sessionId: string): RuntimeObservation {
  return { sessionId, phase: 'gone', reason: 'Deleted', message: 'The notebook pod no longer exists' };
}

type Classified = Omit<RuntimeObservation, 'sessionId' | 'node'>;

function classify(pod: V1Pod, ctx: PodStatusContext): Classified {
  const status = pod.status ?? {};
  const gpus = requestedGpus(pod);
  const deleting = !!pod.metadata?.deletionTimestamp;
  if (status.phase === 'Failed' && status.reason) return failedPhase(status.reason, status.message, gpus);
  if (status.reason === 'NodeLost' || (pod.spec?.nodeName && ctx.nodeReady === false)) return nodeLost(gpus);
  const disruption = disruptionOf(pod, gpus);
  if (disruption) return disruption;
  // Containers that stopped because the pod is being deleted did not fail on their own.
  if ((status.phase === 'Failed' || status.phase === 'Succeeded') && deleting) return { phase: 'failed', reason: 'Deleted', message: 'The notebook was shut down because its pod was deleted' };
  if (status.phase === 'Failed') return failedPhase(status.reason, status.message, gpus);
  if (status.phase === 'Succeeded') return { phase: 'failed', reason: 'Exited', message: 'The notebook server exited by itself' };

  const containerFailure = failedContainer(pod);
  if (containerFailure) return containerFailure;

  const scheduled = status.conditions?.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False' && scheduled.reason === 'Unschedulable') {
    return { phase: 'pending', reason: 'Unschedulable', message: scheduled.message || 'No node can take the notebook right now' };
  }
  if (!pod.spec?.nodeName) return { phase: 'pending', reason: 'Pending', message: 'Waiting for a node' };

  const ready = status.conditions?.find((c) => c.type === 'Ready');
  if (ready?.status === 'True' && status.phase === 'Running') {
    const endpoint = endpointOf(pod, ctx.endpoint);
    if (endpoint) return { phase: 'ready', endpoint };
  }
  return { phase: 'starting', ...startingDetail(pod) };
}

function failedPhase(reason: string | undefined, message: string | undefined, gpus: number): Classified {
  switch (reason) {
    case 'Evicted':
      return {
        phase: 'failed',
        reason: 'Evicted',
        message: !message || /memory/i.test(message) ? 'The node ran out of memory and evicted the notebook' : `The node evicted the notebook: ${message}`,
      };
    case 'DeadlineExceeded':
      return { phase: 'failed', reason: 'DeadlineExceeded', message: "The trial's time ran out" };
    case 'NodeLost':
    case 'NodeShutdown':
      return nodeLost(gpus);
    default:
      return { phase: 'failed', reason: reason || 'Failed', message: message ? `The notebook stopped: ${message}` : 'The notebook stopped with an error' };
  }
}

/**
 * Kubernetes marks a pod it is about to delete for reasons outside the pod (taint manager
 * after node loss, eviction API, kubelet node pressure, preemption) with a DisruptionTarget
 * condition; the pod is then deleted, so this is the one chance to say why.
 */
function disruptionOf(pod: V1Pod, gpus: number): Classified | undefined {
  const c = pod.status?.conditions?.find((x) => x.type === 'DisruptionTarget' && x.status === 'True');
  if (!c?.reason) return undefined;
  switch (c.reason) {
    case 'DeletionByTaintManager':
    case 'DeletionByPodGC':
      return nodeLost(gpus);
    case 'TerminationByKubelet':
      return { phase: 'failed', reason: 'Evicted', message: c.message && !/memory/i.test(c.message) ? `The node evicted the notebook: ${c.message}` : 'The node ran out of memory and evicted the notebook' };
    case 'EvictionByEvictionAPI':
      return { phase: 'failed', reason: 'Evicted', message: 'The notebook was evicted from its node (for maintenance)' };
    case 'PreemptionByScheduler':
      return { phase: 'failed', reason: 'Preempted', message: 'A more important workload took the node from the notebook' };
    default:
      return { phase: 'failed', reason: c.reason, message: `Kubernetes is removing the notebook${c.message ? `: ${c.message}` : ''}` };
  }
}

export function nodeLost(gpus: number): Pick<RuntimeObservation, 'phase' | 'reason' | 'message'> {
  return { phase: 'failed', reason: 'NodeLost', message: gpus > 0 ? 'The GPU node stopped responding' : 'The node running the notebook stopped responding' };
}

function failedContainer(pod: V1Pod): Classified | undefined {
  for (const cs of containerStatuses(pod)) {
    const waiting = cs.state?.waiting;
    if (!waiting?.reason) continue;
    const detail = waiting.message ? waiting.message : waiting.reason;
    if (IMAGE_PULL_FAILURES.has(waiting.reason)) {
      const image = imageOf(pod, cs);
      return { phase: 'failed', reason: waiting.reason, message: `The notebook image ${image} could not be pulled: ${detail}` };
    }
    if (waiting.reason === 'CrashLoopBackOff') {
      return { phase: 'failed', reason: 'CrashLoopBackOff', message: crashMessage(cs) };
    }
    if (CONFIG_FAILURES.has(waiting.reason)) {
      return { phase: 'failed', reason: waiting.reason, message: `The notebook container could not be created: ${detail}` };
    }
  }
  return undefined;
}

/** In CrashLoopBackOff the latest instance has died too, so crashes = restarts + 1. */
export function crashCount(cs: V1ContainerStatus): number {
  return (cs.restartCount ?? 0) + (cs.lastState?.terminated || cs.state?.terminated ? 1 : 0);
}

function crashMessage(cs: V1ContainerStatus): string {
  const n = Math.max(1, crashCount(cs));
  const times = n === 1 ? 'once' : `${n} times`;
  const last = cs.lastState?.terminated;
  const why = last ? ` (last exit code ${last.exitCode}${last.reason ? `, ${last.reason}` : ''}${last.message ? `: ${last.message.trim().slice(0, 200)}` : ''})` : '';
  return `The notebook crashed ${times}${why}`;
}

function startingDetail(pod: V1Pod): { reason?: string; message?: string } {
  const cs = containerStatuses(pod)[0];
  const waiting = cs?.state?.waiting;
  if (waiting?.reason === 'ContainerCreating' || waiting?.reason === 'PodInitializing') return { reason: waiting.reason, message: 'Pulling the notebook image and creating the container' };
  if (cs?.state?.running) return { reason: 'Booting', message: 'The notebook server is booting' };
  return { reason: 'Scheduled', message: `Placed on node ${pod.spec?.nodeName}` };
}

function endpointOf(pod: V1Pod, mode: EndpointMode): { host: string; port: number } | undefined {
  if (mode === 'pod-ip') return pod.status?.podIP ? { host: pod.status.podIP, port: NOTEBOOK_PORT } : undefined;
  return { host: `${pod.metadata?.name}.${pod.metadata?.namespace}.svc`, port: NOTEBOOK_PORT };
}

function containerStatuses(pod: V1Pod): V1ContainerStatus[] {
  return [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
}

function imageOf(pod: V1Pod, cs: V1ContainerStatus): string {
  return pod.spec?.containers.find((c) => c.name === cs.name)?.image ?? pod.spec?.initContainers?.find((c) => c.name === cs.name)?.image ?? cs.image;
}

/** GPUs the pod asked for (its nvidia.com/gpu limits), used for messages and capacity. */
export function requestedGpus(pod: V1Pod): number {
  let total = 0;
  for (const c of pod.spec?.containers ?? []) {
    const raw = c.resources?.limits?.['nvidia.com/gpu'] ?? c.resources?.requests?.['nvidia.com/gpu'];
    const n = raw === undefined ? 0 : Number(raw);
    if (Number.isFinite(n)) total += n;
  }
  return total;
}

/** Whether a pod still holds its node's resources (not finished). */
export function isPodActive(pod: V1Pod): boolean {
  return pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed';
}
