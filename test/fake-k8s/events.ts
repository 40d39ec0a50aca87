import type { ObjectStore } from './store';
import { timestamp } from './time';

/**
 * Records core/v1 Events the way the scheduler and kubelet do: one Event per (object, reason,
 * message), whose `count` and `lastTimestamp` grow when it repeats. Old Events are dropped
 * beyond a cap, as the real server's one-hour TTL would.
 */
export interface EventSource {
  component: string;
  host?: string;
}

export class EventRecorder {
  private readonly byKey = new Map<string, { namespace: string; name: string }>();
  private readonly order: string[] = [];
  private sequence = 0;

  constructor(private readonly store: ObjectStore, private readonly cap = 20_000) {}

  record(involved: any, type: 'Normal' | 'Warning', reason: string, message: string, source: EventSource, fieldPath?: string): void {
    const namespace = involved.metadata.namespace ?? 'default';
    const key = `${involved.metadata.uid}\u0000${reason}\u0000${message}\u0000${fieldPath ?? ''}`;
    const now = timestamp();
    const existing = this.byKey.get(key);
    const current = existing && this.store.get('events', existing.namespace, existing.name);
    if (current) {
      this.store.put('events', { ...current, count: (current.count ?? 1) + 1, lastTimestamp: now });
      return;
    }
    // Real names are `<object>.<unix nanos in hex>`: milliseconds plus a sequence keep them unique here.
    const name = `${involved.metadata.name}.${Date.now().toString(16)}${(this.sequence++ % 0xffffff).toString(16).padStart(6, '0')}`;
    this.store.put('events', {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace, uid: crypto.randomUUID(), creationTimestamp: now },
      involvedObject: { kind: involved.kind, namespace: involved.metadata.namespace, name: involved.metadata.name, uid: involved.metadata.uid, apiVersion: 'v1', resourceVersion: involved.metadata.resourceVersion, ...(fieldPath ? { fieldPath } : {}) },
      reason,
      message,
      source,
      firstTimestamp: now,
      lastTimestamp: now,
      eventTime: null,
      count: 1,
      type,
      reportingComponent: source.component,
      reportingInstance: source.host ?? '',
    });
    this.byKey.set(key, { namespace, name });
    this.order.push(key);
    if (this.order.length > this.cap) {
      const oldest = this.order.shift()!;
      const ref = this.byKey.get(oldest);
      this.byKey.delete(oldest);
      if (ref) this.store.remove('events', ref.namespace, ref.name);
    }
  }
}
