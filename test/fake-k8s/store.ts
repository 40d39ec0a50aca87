/**
 * The fake cluster's storage, playing etcd plus the API server's watch cache: one global,
 * monotonically increasing resourceVersion, objects indexed by resource and namespace, an
 * owner-reference index for the garbage collector, and a bounded history of changes that
 * watches resume from. Stored objects are never mutated: every write stores a new object.
 */
export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface Change {
  rv: number;
  resource: string;
  type: ChangeType;
  object: any;
  /** the object before this change (MODIFIED, DELETED), so watches can tell when it left their selector */
  previous?: any;
}

export interface Subscriber {
  resource: string;
  namespace?: string;
  deliver(change: Change): void;
}

const keyOf = (resource: string, namespace: string, name: string) => `${resource}\u0000${namespace}\u0000${name}`;

export class ObjectStore {
  private lastRv = 0;
  private readonly objects = new Map<string, Map<string, Map<string, any>>>();
  private readonly dependants = new Map<string, Set<string>>(); // owner uid -> keys
  private readonly history: Change[];
  private historyStart = 0;
  private historyLength = 0;
  /** A watch may resume from any resourceVersion >= this one; older ones answer 410 Gone. */
  private resumableFrom = 0;
  private readonly subscribers = new Set<Subscriber>();
  private readonly listeners: Array<(change: Change) => void> = [];

  constructor(private readonly historySize = 10_000) {
    this.history = new Array(historySize);
  }

  get resourceVersion(): number {
    return this.lastRv;
  }

  get oldestResumableVersion(): number {
    return this.resumableFrom;
  }

  /** Controllers (scheduler, kubelet, garbage collector) hear every change, after watchers. */
  onChange(listener: (change: Change) => void): void {
    this.listeners.push(listener);
  }

  get(resource: string, namespace: string, name: string): any | undefined {
    return this.objects.get(resource)?.get(namespace)?.get(name);
  }

  /** Objects of a resource, in one namespace or all; ordered by namespace then name like etcd keys. */
  list(resource: string, namespace?: string): any[] {
    const byNamespace = this.objects.get(resource);
    if (!byNamespace) return [];
    if (namespace !== undefined) return [...(byNamespace.get(namespace)?.values() ?? [])];
    const all: any[] = [];
    for (const items of byNamespace.values()) for (const item of items.values()) all.push(item);
    return all;
  }

  count(resource: string): number {
    let n = 0;
    for (const items of this.objects.get(resource)?.values() ?? []) n += items.size;
    return n;
  }

  namespacesOf(resource: string): string[] {
    return [...(this.objects.get(resource)?.keys() ?? [])];
  }

  /** Objects whose ownerReferences name this uid. */
  dependantsOf(uid: string): Array<{ resource: string; object: any }> {
    const found: Array<{ resource: string; object: any }> = [];
    for (const key of this.dependants.get(uid) ?? []) {
      const [resource, namespace, name] = key.split('\u0000');
      const object = this.get(resource, namespace, name);
      if (object) found.push({ resource, object });
    }
    return found;
  }

  /** Stores a new or changed object, stamping the next resourceVersion on it. */
  put(resource: string, object: any): any {
    const namespace = object.metadata.namespace ?? '';
    const name = object.metadata.name;
    const previous = this.get(resource, namespace, name);
    const rv = ++this.lastRv;
    const stored = { ...object, metadata: { ...object.metadata, resourceVersion: String(rv) } };
    let byNamespace = this.objects.get(resource);
    if (!byNamespace) this.objects.set(resource, (byNamespace = new Map()));
    let items = byNamespace.get(namespace);
    if (!items) byNamespace.set(namespace, (items = new Map()));
    items.set(name, stored);
    this.indexOwners(keyOf(resource, namespace, name), previous, stored);
    this.emit({ rv, resource, type: previous ? 'MODIFIED' : 'ADDED', object: stored, previous });
    return stored;
  }

  /** Removes an object; the DELETED event carries a new resourceVersion, as the real server's does. */
  remove(resource: string, namespace: string, name: string): any | undefined {
    const previous = this.get(resource, namespace, name);
    if (!previous) return undefined;
    const items = this.objects.get(resource)!.get(namespace)!;
    items.delete(name);
    if (items.size === 0) this.objects.get(resource)!.delete(namespace);
    this.indexOwners(keyOf(resource, namespace, name), previous, undefined);
    const rv = ++this.lastRv;
    const object = { ...previous, metadata: { ...previous.metadata, resourceVersion: String(rv) } };
    this.emit({ rv, resource, type: 'DELETED', object, previous });
    return object;
  }

  subscribe(subscriber: Subscriber): () => void {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  /** Changes after `rv`, or undefined when the history no longer reaches back that far. */
  changesSince(rv: number): Change[] | undefined {
    if (rv < this.resumableFrom) return undefined;
    const changes: Change[] = [];
    for (let i = 0; i < this.historyLength; i++) {
      const change = this.history[(this.historyStart + i) % this.historySize];
      if (change.rv > rv) changes.push(change);
    }
    return changes;
  }

  /** Forgets all history, like an etcd compaction: watches from any earlier version get 410 Gone. */
  compact(): void {
    this.historyLength = 0;
    this.historyStart = 0;
    this.history.fill(undefined as unknown as Change);
    this.resumableFrom = this.lastRv;
  }

  private emit(change: Change): void {
    if (this.historyLength === this.historySize) {
      const dropped = this.history[this.historyStart];
      this.resumableFrom = dropped.rv;
      this.historyStart = (this.historyStart + 1) % this.historySize;
      this.historyLength--;
    }
    this.history[(this.historyStart + this.historyLength) % this.historySize] = change;
    this.historyLength++;
    const namespace = change.object.metadata.namespace;
    for (const s of this.subscribers) {
      if (s.resource === change.resource && (s.namespace === undefined || s.namespace === namespace)) s.deliver(change);
    }
    for (const listener of this.listeners) listener(change);
  }

  private indexOwners(key: string, before: any, after: any): void {
    for (const ref of before?.metadata?.ownerReferences ?? []) {
      const keys = this.dependants.get(ref.uid);
      keys?.delete(key);
      if (keys?.size === 0) this.dependants.delete(ref.uid);
    }
    for (const ref of after?.metadata?.ownerReferences ?? []) {
      let keys = this.dependants.get(ref.uid);
      if (!keys) this.dependants.set(ref.uid, (keys = new Set()));
      keys.add(key);
    }
  }
}
