import { timestamp } from './time';

/** Small helpers that edit a pod's status the way the kubelet's status manager writes it. */
export function setCondition(status: any, type: string, value: 'True' | 'False' | 'Unknown', reason?: string, message?: string): void {
  const conditions: any[] = status.conditions ?? [];
  const existing = conditions.find((c) => c.type === type);
  const condition = {
    type,
    status: value,
    lastProbeTime: null,
    lastTransitionTime: existing && existing.status === value ? existing.lastTransitionTime : timestamp(),
    ...(reason ? { reason } : {}),
    ...(message ? { message } : {}),
  };
  status.conditions = existing ? conditions.map((c) => (c === existing ? condition : c)) : [...conditions, condition];
}

export const containerId = (podUid: string, name: string, restart: number) =>
  `containerd://${Buffer.from(`${podUid}/${name}/${restart}`).toString('hex').padEnd(64, '0').slice(0, 64)}`;

export const imageId = (image: string) => `${image.split(':')[0]}@sha256:${Buffer.from(image).toString('hex').padEnd(64, 'f').slice(0, 64)}`;

/** Ready / ContainersReady from the containers' ready flags, as the status manager computes them. */
export function updateReadiness(pod: any, readyOverride: boolean | undefined): void {
  const status = pod.status;
  const statuses: any[] = status.containerStatuses ?? [];
  if (status.phase === 'Failed' || status.phase === 'Succeeded') {
    setCondition(status, 'ContainersReady', 'False', 'PodCompleted');
    setCondition(status, 'Ready', 'False', 'PodCompleted');
    return;
  }
  const unready = statuses.filter((c) => !c.ready).map((c) => c.name);
  if (unready.length > 0) {
    const message = `containers with unready status: [${unready.join(' ')}]`;
    setCondition(status, 'ContainersReady', 'False', 'ContainersNotReady', message);
    setCondition(status, 'Ready', 'False', 'ContainersNotReady', message);
  } else if (readyOverride === false) {
    setCondition(status, 'ContainersReady', 'True');
    setCondition(status, 'Ready', 'False', 'ReadinessGatesNotReady', 'the fake kubelet was told this pod is not ready');
  } else {
    setCondition(status, 'ContainersReady', 'True');
    setCondition(status, 'Ready', 'True');
  }
}

/** Every container of the pod is killed (deadline, eviction): terminated with the given exit code. */
export function terminateAll(pod: any, exitCode: number, reason: string): void {
  const now = timestamp();
  pod.status.containerStatuses = (pod.status.containerStatuses ?? []).map((c: any) => {
    if (c.state?.terminated) return { ...c, ready: false, started: false };
    return { ...c, ready: false, started: false, state: { terminated: { exitCode, reason, startedAt: c.state?.running?.startedAt ?? now, finishedAt: now, containerID: c.containerID } } };
  });
}
