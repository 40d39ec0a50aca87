import type { ApiServer } from './api-server';
import type { EventRecorder } from './events';
import type { Kubelet } from './kubelet';
import { setCondition } from './pod-status';
import { tolerates } from './scheduling-rules';
import type { ObjectStore } from './store';
import { timestamp } from './time';

const UNREACHABLE = 'node.kubernetes.io/unreachable';

/**
 * What happens when a node's kubelet stops reporting, in the order the real controllers do it:
 * 1. node lifecycle controller: node conditions go Unknown (NodeStatusUnknown), the node gets
 *    the `node.kubernetes.io/unreachable` NoSchedule and NoExecute taints, its pods Ready=False;
 * 2. taint eviction controller: each pod that does not tolerate the NoExecute taint (or whose
 *    `tolerationSeconds` ran out) gets condition DisruptionTarget (DeletionByTaintManager) and a
 *    graceful delete (deletionTimestamp);
 * 3. pod garbage collector: as the real one does for a node with the out-of-service taint (or
 *    whose Node object was removed), it marks the terminating pod Failed and force-deletes it.
 * Time is compressed: tolerationSeconds and the grace period last a few `delayMs` steps.
 */
export class NodeLifecycle {
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly store: ObjectStore, private readonly api: ApiServer, private readonly events: EventRecorder, private readonly kubelet: Kubelet, private readonly delayMs: number) {}

  loseNode(nodeName: string): void {
    const node = this.store.get('nodes', '', nodeName);
    if (!node) throw new Error(`fake kubelet: there is no node "${nodeName}"`);
    this.kubelet.forgetNode(nodeName);
    const now = timestamp();
    this.api.mutate('nodes', '', nodeName, (n) => {
      n.status.conditions = n.status.conditions.map((c: any) => ({ ...c, status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: now }));
      const taints = (n.spec.taints ?? []).filter((t: any) => t.key !== UNREACHABLE);
      n.spec.taints = [...taints, { key: UNREACHABLE, effect: 'NoSchedule', timeAdded: now }, { key: UNREACHABLE, effect: 'NoExecute', timeAdded: now }];
      return n;
    });
    const source = { component: 'node-controller' };
    for (const pod of this.store.list('pods')) {
      if (pod.spec.nodeName !== nodeName || ['Succeeded', 'Failed'].includes(pod.status?.phase)) continue;
      const updated = this.api.mutate('pods', pod.metadata.namespace, pod.metadata.name, (p) => {
        setCondition(p.status, 'Ready', 'False');
        return p;
      });
      this.events.record(updated, 'Warning', 'NodeNotReady', 'Node is not ready', source);
      const toleration = (pod.spec.tolerations ?? []).find((t: any) => tolerates(t, { key: UNREACHABLE, effect: 'NoExecute' }));
      if (toleration && toleration.tolerationSeconds === undefined) continue; // tolerates it forever
      const waitMs = toleration ? Math.min(toleration.tolerationSeconds * 1000, this.delayMs * 4) : 0;
      this.later(waitMs, () => this.evictByTaint(pod.metadata.namespace, pod.metadata.name, pod.metadata.uid));
    }
  }

  private evictByTaint(namespace: string, name: string, uid: string): void {
    const pod = this.store.get('pods', namespace, name);
    if (!pod || pod.metadata.uid !== uid) return;
    const marked = this.api.mutate('pods', namespace, name, (p) => {
      setCondition(p.status, 'DisruptionTarget', 'True', 'DeletionByTaintManager', 'Taint manager: deleting due to NoExecute taint');
      return p;
    });
    this.events.record(marked, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${namespace}/${name}`, { component: 'taint-eviction-controller' });
    if (!pod.metadata.deletionTimestamp) this.api.delete('pods', namespace, name, {});
    const graceMs = (pod.spec.terminationGracePeriodSeconds ?? 30) * 1000;
    this.later(Math.min(graceMs, this.delayMs * 2), () => this.forceDelete(namespace, name, uid));
  }

  private forceDelete(namespace: string, name: string, uid: string): void {
    const pod = this.store.get('pods', namespace, name);
    if (!pod || pod.metadata.uid !== uid) return;
    if (!['Succeeded', 'Failed'].includes(pod.status?.phase)) {
      this.api.mutate('pods', namespace, name, (p) => {
        p.status.phase = 'Failed';
        return p;
      });
    }
    this.api.finalize('pods', namespace, name);
  }

  private later(ms: number, step: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      step();
    }, ms);
    this.timers.add(timer);
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
  }
}
