import { GPU_RESOURCE } from './nodes';
import { parseQuantity } from './quantity';

/** The filters of kube-scheduler's default profile that matter here, as pure functions. */
export interface PodRequests {
  cpu: number;
  memory: number;
  gpu: number;
}

export interface NodeUsage extends PodRequests {
  pods: number;
}

export function podRequests(pod: any): PodRequests {
  const total = { cpu: 0, memory: 0, gpu: 0 };
  for (const c of pod.spec.containers ?? []) {
    const requests = c.resources?.requests ?? {};
    const limits = c.resources?.limits ?? {};
    total.cpu += parseQuantity(requests.cpu) || 0;
    total.memory += parseQuantity(requests.memory) || 0;
    total.gpu += parseQuantity(limits[GPU_RESOURCE] ?? requests[GPU_RESOURCE]) || 0;
  }
  return total;
}

export function tolerates(toleration: any, taint: any): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.operator === 'Exists') return !toleration.key || toleration.key === taint.key;
  return toleration.key === taint.key && (toleration.value ?? '') === (taint.value ?? '');
}

/** The first NoSchedule/NoExecute taint the pod does not tolerate, if any. */
export function untoleratedTaint(pod: any, node: any, effects = ['NoSchedule', 'NoExecute']): any | undefined {
  const tolerations = pod.spec.tolerations ?? [];
  return (node.spec.taints ?? []).find((taint: any) => effects.includes(taint.effect) && !tolerations.some((t: any) => tolerates(t, taint)));
}

function expressionMatches(expr: any, labels: Record<string, string>): boolean {
  const value = labels[expr.key];
  switch (expr.operator) {
    case 'In':
      return value !== undefined && (expr.values ?? []).includes(value);
    case 'NotIn':
      return value === undefined || !(expr.values ?? []).includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
      return value !== undefined && Number(value) > Number(expr.values?.[0]);
    case 'Lt':
      return value !== undefined && Number(value) < Number(expr.values?.[0]);
    default:
      return false;
  }
}

export function matchesNodeSelector(pod: any, node: any): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(pod.spec.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const terms = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (!terms || terms.length === 0) return true;
  return terms.some(
    (term: any) =>
      (term.matchExpressions ?? []).every((e: any) => expressionMatches(e, labels)) &&
      (term.matchFields ?? []).every((e: any) => e.key !== 'metadata.name' || expressionMatches({ ...e, key: 'name' }, { name: node.metadata.name })),
  );
}

export interface FilterFailure {
  reason: string;
  /** true when preemption could not help (taints, affinity): the scheduler's UnschedulableAndUnresolvable */
  unresolvable: boolean;
}

/** Why the pod does not fit on the node (empty when it fits), in the scheduler's filter order. */
export function filterNode(pod: any, requests: PodRequests, node: any, used: NodeUsage | undefined): FilterFailure[] {
  if (node.spec.unschedulable) return [{ reason: 'node(s) were unschedulable', unresolvable: true }];
  const taint = untoleratedTaint(pod, node);
  if (taint) return [{ reason: `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`, unresolvable: true }];
  if (!matchesNodeSelector(pod, node)) return [{ reason: "node(s) didn't match Pod's node affinity/selector", unresolvable: true }];
  const allocatable = node.status.allocatable ?? {};
  const u = used ?? { cpu: 0, memory: 0, gpu: 0, pods: 0 };
  const failures: FilterFailure[] = [];
  if (u.pods + 1 > parseQuantity(allocatable.pods ?? '110')) failures.push({ reason: 'Too many pods', unresolvable: false });
  if (requests.cpu > 0 && u.cpu + requests.cpu > parseQuantity(allocatable.cpu)) failures.push({ reason: 'Insufficient cpu', unresolvable: false });
  if (requests.memory > 0 && u.memory + requests.memory > parseQuantity(allocatable.memory)) failures.push({ reason: 'Insufficient memory', unresolvable: false });
  if (requests.gpu > 0 && u.gpu + requests.gpu > parseQuantity(allocatable[GPU_RESOURCE] ?? '0')) failures.push({ reason: `Insufficient ${GPU_RESOURCE}`, unresolvable: false });
  return failures;
}

/** kube-scheduler's FitError text: `0/3 nodes are available: 1 Insufficient nvidia.com/gpu, 2 node(s) ... preemption: ...`. */
export function unschedulableMessage(nodeCount: number, failuresPerNode: FilterFailure[][]): string {
  const histogram = new Map<string, number>();
  let victimsNotFound = 0;
  let notHelpful = 0;
  for (const failures of failuresPerNode) {
    for (const f of failures) histogram.set(f.reason, (histogram.get(f.reason) ?? 0) + 1);
    if (failures.some((f) => f.unresolvable)) notHelpful++;
    else if (failures.length > 0) victimsNotFound++;
  }
  const reasons = [...histogram].map(([reason, n]) => `${n} ${reason}`).sort();
  let message = `0/${nodeCount} nodes are available`;
  message += reasons.length > 0 ? `: ${reasons.join(', ')}.` : '.';
  const preemption = [
    ...(victimsNotFound ? [`${victimsNotFound} No preemption victims found for incoming pod`] : []),
    ...(notHelpful ? [`${notHelpful} Preemption is not helpful for scheduling`] : []),
  ].sort();
  if (preemption.length > 0) message += ` preemption: 0/${nodeCount} nodes are available: ${preemption.join(', ')}.`;
  return message;
}
