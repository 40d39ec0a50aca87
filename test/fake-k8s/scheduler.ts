import type { ApiServer } from './api-server';
import type { EventRecorder } from './events';
import { filterNode, podRequests, unschedulableMessage, type FilterFailure, type NodeUsage, type PodRequests } from './scheduling-rules';
import { parseQuantity } from './quantity';
import type { Change, ObjectStore } from './store';
import { timestamp } from './time';

const SOURCE = { component: 'default-scheduler' };
const RETRY_INTERVAL_MS = 1_000;

const isTerminal = (pod: any) => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

/**
 * kube-scheduler, reduced to what the driver sees: pending pods are bound FIFO to the least
 * allocated feasible node; the others get `PodScheduled=False reason=Unschedulable` with the
 * real FitError message and a FailedScheduling Event, and are retried whenever capacity frees,
 * a node changes, and every second. Node usage is kept incrementally (no rescans per pod).
 */
export class Scheduler {
  private readonly pending = new Map<string, { namespace: string; name: string }>();
  private readonly placed = new Map<string, { node: string; requests: PodRequests }>();
  private readonly usage = new Map<string, NodeUsage>();
  private readonly lastMessage = new Map<string, string>();
  private cycleQueued = false;
  private readonly retry: NodeJS.Timeout;

  constructor(private readonly store: ObjectStore, private readonly api: ApiServer, private readonly events: EventRecorder) {
    store.onChange((change) => this.observe(change));
    this.retry = setInterval(() => this.pending.size > 0 && this.queueCycle(), RETRY_INTERVAL_MS);
    this.retry.unref();
  }

  stop(): void {
    clearInterval(this.retry);
  }

  private observe(change: Change): void {
    if (change.resource === 'nodes') return this.queueCycle();
    if (change.resource === 'persistentvolumeclaims' && change.type === 'ADDED' && this.pending.size > 0) return this.queueCycle();
    if (change.resource !== 'pods') return;
    const pod = change.object;
    const uid = pod.metadata.uid;
    const holdsCapacity = change.type !== 'DELETED' && pod.spec.nodeName && !isTerminal(pod);
    if (holdsCapacity) this.account(uid, pod.spec.nodeName, pod);
    else if (this.release(uid)) this.queueCycle();
    if (change.type === 'DELETED' || pod.spec.nodeName || pod.metadata.deletionTimestamp) {
      this.pending.delete(uid);
      if (change.type === 'DELETED') this.lastMessage.delete(uid);
    } else if (change.type === 'ADDED') {
      this.pending.set(uid, { namespace: pod.metadata.namespace, name: pod.metadata.name });
      this.queueCycle();
    }
  }

  private account(uid: string, node: string, pod: any): void {
    if (this.placed.has(uid)) return;
    const requests = podRequests(pod);
    this.placed.set(uid, { node, requests });
    const u = this.usage.get(node) ?? { cpu: 0, memory: 0, gpu: 0, pods: 0 };
    this.usage.set(node, { cpu: u.cpu + requests.cpu, memory: u.memory + requests.memory, gpu: u.gpu + requests.gpu, pods: u.pods + 1 });
  }

  private release(uid: string): boolean {
    const placement = this.placed.get(uid);
    if (!placement) return false;
    this.placed.delete(uid);
    const u = this.usage.get(placement.node)!;
    const r = placement.requests;
    this.usage.set(placement.node, { cpu: u.cpu - r.cpu, memory: u.memory - r.memory, gpu: u.gpu - r.gpu, pods: u.pods - 1 });
    return true;
  }

  private queueCycle(): void {
    if (this.cycleQueued) return;
    this.cycleQueued = true;
    setImmediate(() => {
      this.cycleQueued = false;
      this.cycle();
    });
  }

  private cycle(): void {
    const nodes = this.store.list('nodes');
    // Pods that ask for the same thing fail for the same reasons in one cycle: remember the verdict.
    const failedShapes = new Map<string, string>();
    for (const [uid, ref] of [...this.pending]) {
      const pod = this.store.get('pods', ref.namespace, ref.name);
      if (!pod || pod.metadata.uid !== uid || pod.spec.nodeName || pod.metadata.deletionTimestamp) {
        this.pending.delete(uid);
        continue;
      }
      const requests = podRequests(pod);
      const shape = JSON.stringify([pod.spec.nodeSelector, pod.spec.affinity, pod.spec.tolerations, requests, this.claimsOf(pod)]);
      const known = failedShapes.get(shape);
      if (known) {
        this.markUnschedulable(pod, known);
        continue;
      }
      const missingClaim = this.claimsOf(pod).find((claim) => !this.store.get('persistentvolumeclaims', ref.namespace, claim));
      if (missingClaim) {
        const n = nodes.length;
        const message = `0/${n} nodes are available: persistentvolumeclaim "${missingClaim}" not found. preemption: 0/${n} nodes are available: ${n} Preemption is not helpful for scheduling.`;
        failedShapes.set(shape, message);
        this.markUnschedulable(pod, message);
        continue;
      }
      let best: { name: string; score: number } | undefined;
      const failures: FilterFailure[][] = [];
      for (const node of nodes) {
        const used = this.usage.get(node.metadata.name);
        const why = filterNode(pod, requests, node, used);
        failures.push(why);
        if (why.length > 0) continue;
        const score = this.allocation(node, used, requests);
        if (!best || score < best.score) best = { name: node.metadata.name, score };
      }
      if (best) this.bind(pod, best.name);
      else {
        const message = unschedulableMessage(nodes.length, failures);
        failedShapes.set(shape, message);
        this.markUnschedulable(pod, message);
      }
    }
  }

  private claimsOf(pod: any): string[] {
    return (pod.spec.volumes ?? []).map((v: any) => v.persistentVolumeClaim?.claimName).filter(Boolean);
  }

  /** NodeResourcesFit's LeastAllocated, roughly: the share of the node in use after placing the pod. */
  private allocation(node: any, used: NodeUsage | undefined, requests: PodRequests): number {
    const a = node.status.allocatable;
    const u = used ?? { cpu: 0, memory: 0, gpu: 0, pods: 0 };
    const share = (x: number, total: string | undefined) => (total && parseQuantity(total) > 0 ? x / parseQuantity(total) : 0);
    return share(u.cpu + requests.cpu, a.cpu) + share((u.pods + 1) * 1, a.pods) + share(u.gpu + requests.gpu, a['nvidia.com/gpu']);
  }

  private bind(pod: any, nodeName: string): void {
    const { namespace, name } = pod.metadata;
    this.pending.delete(pod.metadata.uid);
    this.lastMessage.delete(pod.metadata.uid);
    const bound = this.api.mutate('pods', namespace, name, (p) => {
      p.spec.nodeName = nodeName;
      const conditions = (p.status.conditions ?? []).filter((c: any) => c.type !== 'PodScheduled');
      p.status.conditions = [...conditions, { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: timestamp() }];
      return p;
    });
    if (bound) this.events.record(bound, 'Normal', 'Scheduled', `Successfully assigned ${namespace}/${name} to ${nodeName}`, SOURCE);
  }

  private markUnschedulable(pod: any, message: string): void {
    const uid = pod.metadata.uid;
    if (this.lastMessage.get(uid) === message) return;
    this.lastMessage.set(uid, message);
    const updated = this.api.mutate('pods', pod.metadata.namespace, pod.metadata.name, (p) => {
      const conditions = (p.status.conditions ?? []).filter((c: any) => c.type !== 'PodScheduled');
      p.status.conditions = [...conditions, { type: 'PodScheduled', status: 'False', lastProbeTime: null, lastTransitionTime: timestamp(), reason: 'Unschedulable', message }];
      return p;
    });
    if (updated) this.events.record(updated, 'Warning', 'FailedScheduling', message, SOURCE);
  }
}
