import type { V1Node, V1NodeList } from '@kubernetes/client-node';

interface Logger { warn(msg: string): void }

/**
 * Which nodes are Ready, from periodic node lists (and on demand, e.g. when a pod loses
 * readiness). A lost node's kubelet reports nothing more, so its pods only show that through
 * their node. Listing nodes needs a ClusterRole; without it, node loss is seen later, through
 * the pods' own status (DisruptionTarget), and a warning says so once.
 */
export class NodeHealth {
  private readonly ready = new Map<string, boolean>();
  private readonly listeners = new Set<(changed: Set<string>) => void>();
  private refreshing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private warned = false;
  private stopped = false;

  constructor(
    private readonly listNodes: () => Promise<V1NodeList>,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  /** true/false once seen; undefined for a node never listed. A node that vanished counts as not ready. */
  isReady(node: string): boolean | undefined {
    return this.ready.get(node);
  }

  onChange(listener: (changed: Set<string>) => void): void {
    this.listeners.add(listener);
  }

  startPeriodic(): void {
    if (this.intervalMs <= 0 || this.stopped) return;
    this.timer = setTimeout(() => void this.refresh().finally(() => this.startPeriodic()), this.intervalMs);
    this.timer.unref?.();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.stopped = true;
  }

  /** One node list at a time; concurrent callers share it. Never rejects. */
  refresh(): Promise<void> {
    this.refreshing ??= this.listNodes()
      .then((list) => this.apply(list.items))
      .catch((err) => {
        if (!this.warned) this.logger.warn(`Could not list nodes (${(err as Error).message}); node loss is then only seen through pod status`);
        this.warned = true;
      })
      .finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  /** Takes a node list fetched elsewhere (e.g. for capacity). */
  apply(nodes: V1Node[]): void {
    const changed = new Set<string>();
    const seen = new Set<string>();
    for (const n of nodes) {
      const name = n.metadata?.name;
      if (!name) continue;
      seen.add(name);
      const ready = isNodeReady(n);
      if (this.ready.get(name) !== ready) changed.add(name);
      this.ready.set(name, ready);
    }
    for (const [name, wasReady] of this.ready) {
      if (!seen.has(name) && wasReady) {
        this.ready.set(name, false);
        changed.add(name);
      }
    }
    if (changed.size) for (const listener of this.listeners) listener(changed);
  }
}

export function isNodeReady(node: V1Node): boolean {
  return node.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
}
