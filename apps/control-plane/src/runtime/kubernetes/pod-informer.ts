import { KubeConfig, ListWatch, Watch } from '@kubernetes/client-node';
import type { V1Pod, V1PodList } from '@kubernetes/client-node';
import { TransientRuntimeError } from '../session-runtime';
import { LABEL } from './labels';

/**
 * One list+watch of our pods in the namespace (client-node's ListWatch), cached by session id.
 *
 * client-node relists by itself on `410 Gone`, but on any other error its informer emits
 * `error` and stops; this class restarts it with exponential backoff and jitter (from a fresh
 * list), and relists periodically, diffing against the cache, to catch events a watch missed.
 */
export interface PodInformerOptions {
  namespace: string;
  labelSelector: string;
  /** Full relist period (ms); 0 turns it off. */
  resyncIntervalMs: number;
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  /** How long start() waits for the first successful list. */
  startTimeoutMs?: number;
}

interface Logger { log(msg: string): void; warn(msg: string): void; error(msg: string): void }

/** `pod` is undefined when the session's pod is gone. */
export type PodListener = (sessionId: string, pod: V1Pod | undefined) => void;

interface Entry { pod: V1Pod; updatedAt: number }
interface Tombstone { uid: string | undefined; at: number }

export class PodInformer {
  private readonly cache = new Map<string, Entry>();
  private readonly tombstones = new Map<string, Tombstone>();
  private readonly listeners = new Set<PodListener>();
  private current: ListWatch<V1Pod> | undefined;
  private failures = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private stopped = true;
  private synced = false;
  private onSynced: (() => void) | undefined;

  constructor(
    private readonly kubeConfig: KubeConfig,
    private readonly listPods: (namespace: string, labelSelector: string) => Promise<V1PodList>,
    private readonly options: PodInformerOptions,
    private readonly logger: Logger = console,
  ) {}

  /** Resolves after the first full list is in the cache. */
  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    const firstList = new Promise<void>((resolve) => (this.onSynced = resolve));
    void this.run();
    const timeoutMs = this.options.startTimeoutMs ?? 60_000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TransientRuntimeError(`Could not list pods in namespace ${this.options.namespace} within ${timeoutMs / 1000} s; is the Kubernetes API server reachable?`)), timeoutMs);
    });
    try {
      await Promise.race([firstList, timedOut]);
    } finally {
      clearTimeout(timer);
    }
    if (this.options.resyncIntervalMs > 0) this.scheduleResync();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    clearTimeout(this.resyncTimer);
    const lw = this.current;
    this.current = undefined;
    await lw?.stop();
  }

  get hasSynced(): boolean {
    return this.synced;
  }

  onChange(listener: PodListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get(sessionId: string): V1Pod | undefined {
    return this.cache.get(sessionId)?.pod;
  }

  list(): V1Pod[] {
    return [...this.cache.values()].map((e) => e.pod);
  }

  /** A full list diffed against the cache; also run on a timer. */
  async resync(): Promise<void> {
    const startedAt = Date.now();
    const list = await this.listPods(this.options.namespace, this.options.labelSelector);
    if (!this.stopped) this.applyList(list.items, startedAt);
  }

  private async run(): Promise<void> {
    if (this.stopped) return;
    const path = `/api/v1/namespaces/${encodeURIComponent(this.options.namespace)}/pods`;
    let lw: ListWatch<V1Pod>;
    // Every list this ListWatch makes (first, and after 410) is diffed against our cache too,
    // which catches deletions that happened while no watch was open.
    const listFn = async () => {
      const startedAt = Date.now();
      const list = await this.listPods(this.options.namespace, this.options.labelSelector);
      if (this.current === lw) {
        this.applyList(list.items, startedAt);
        this.failures = 0;
        this.markSynced();
      }
      return list;
    };
    lw = new ListWatch<V1Pod>(path, new Watch(this.kubeConfig), listFn, false, this.options.labelSelector);
    this.current = lw;
    // A stopped ListWatch still reports the abort of its own watch as an error: only the current one counts.
    lw.on('add', (pod) => this.current === lw && this.upsert(pod));
    lw.on('update', (pod) => this.current === lw && this.upsert(pod));
    lw.on('delete', (pod) => this.current === lw && this.remove(pod));
    lw.on('error', (err) => this.current === lw && this.restartLater(err));
    try {
      await lw.start();
    } catch (err) {
      if (this.current === lw) this.restartLater(err);
    }
  }

  private restartLater(err: unknown): void {
    if (this.stopped) return;
    const old = this.current;
    this.current = undefined;
    void old?.stop();
    this.failures++;
    const initial = this.options.backoffInitialMs ?? 500;
    const ceiling = Math.min(this.options.backoffMaxMs ?? 30_000, initial * 2 ** (this.failures - 1));
    const delay = Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
    this.logger.warn(`Pod watch in ${this.options.namespace} failed (${describe(err)}); relisting in ${delay} ms`);
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => void this.run(), delay);
  }

  private scheduleResync(): void {
    this.resyncTimer = setTimeout(async () => {
      try {
        await this.resync();
      } catch (err) {
        this.logger.warn(`Periodic pod relist failed (${describe(err)}); the watch keeps running`);
      }
      if (!this.stopped) this.scheduleResync();
    }, this.options.resyncIntervalMs);
    this.resyncTimer.unref?.();
  }

  private markSynced(): void {
    if (this.synced) return;
    this.synced = true;
    this.onSynced?.();
  }

  /**
   * Brings the cache in line with a list that was requested at `startedAt`. Anything the watch
   * told us after that moment is newer than the list and wins.
   */
  private applyList(items: V1Pod[], startedAt: number): void {
    const listed = new Map<string, V1Pod>();
    for (const pod of items) {
      const id = sessionIdOf(pod);
      if (id) listed.set(id, pod);
    }
    for (const [id, entry] of this.cache) {
      if (!listed.has(id) && entry.updatedAt < startedAt) this.forget(id, entry.pod);
    }
    for (const [id, pod] of listed) {
      const entry = this.cache.get(id);
      if (entry && entry.updatedAt >= startedAt) continue;
      const tomb = this.tombstones.get(id);
      if (!entry && tomb && tomb.at >= startedAt && tomb.uid === pod.metadata?.uid) continue;
      this.upsert(pod);
    }
    this.pruneTombstones(startedAt);
  }

  private upsert(pod: V1Pod): void {
    const id = sessionIdOf(pod);
    if (!id) return;
    const entry = this.cache.get(id);
    if (entry && entry.pod.metadata?.uid === pod.metadata?.uid && entry.pod.metadata?.resourceVersion === pod.metadata?.resourceVersion) {
      entry.updatedAt = Date.now();
      return;
    }
    this.cache.set(id, { pod, updatedAt: Date.now() });
    this.tombstones.delete(id);
    this.emit(id, pod);
  }

  private remove(pod: V1Pod): void {
    const id = sessionIdOf(pod);
    if (!id) return;
    const entry = this.cache.get(id);
    // A DELETED event for an older pod of the same session (resume) must not hide the new one.
    if (entry && entry.pod.metadata?.uid !== pod.metadata?.uid) return;
    this.forget(id, pod);
  }

  private forget(id: string, pod: V1Pod): void {
    const had = this.cache.delete(id);
    this.tombstones.set(id, { uid: pod.metadata?.uid, at: Date.now() });
    if (had) this.emit(id, undefined);
  }

  private pruneTombstones(olderThan: number): void {
    for (const [id, tomb] of this.tombstones) if (tomb.at < olderThan - 60_000) this.tombstones.delete(id);
  }

  private emit(id: string, pod: V1Pod | undefined): void {
    for (const listener of this.listeners) {
      try {
        listener(id, pod);
      } catch (err) {
        this.logger.error(`A pod listener failed: ${describe(err)}`);
      }
    }
  }
}

export function sessionIdOf(pod: V1Pod): string | undefined {
  return pod.metadata?.labels?.[LABEL.session] || undefined;
}

function describe(err: unknown): string {
  const e = err as { message?: string; statusCode?: number; code?: unknown };
  if (e?.statusCode) return `HTTP ${e.statusCode}${e.message ? ` ${e.message}` : ''}`;
  return e?.message || String(err);
}
