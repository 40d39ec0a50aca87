import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import type { SessionView } from '@trialhub/contracts';

/** The channel the triggers of migration 1795741200000 notify on. */
export const SESSION_CHANGES_CHANNEL = 'trialhub_session_changes';
/** Safety net: an entry is dropped after this long even if no notification came (a lost connection not yet noticed). */
export const SESSION_VIEW_CACHE_TTL_MS = 2000;
export const SESSION_VIEW_CACHE_MAX_ENTRIES = 10_000;

export interface ViewCacheOptions<V> {
  ttlMs: number;
  maxEntries: number;
  /** Values that may be kept at all (e.g. not queued sessions: their queue position moves when others do). */
  cacheable(value: V): boolean;
  /** The group a value belongs to, for group-wide invalidations (`t:<trial id>`). */
  groupOf(value: V): string;
  now?: () => number;
}

/**
 * The logic of the session view cache, without the database: entries keyed by id, a TTL and
 * a size cap, invalidation by notification payload, and no storing of a read that raced with
 * an invalidation of its key (or with a clear).
 *
 * Each key has at most one read in flight, shared by the requests that arrive meanwhile. An
 * invalidation of the key detaches that read (the per-key invalidation counter, held as the
 * flight's identity): its result still answers the requests that were waiting for it (they
 * came before the change was announced), but it is not stored, and the next request reads
 * again. While nobody listens (`listening` false) every request reads and nothing is stored.
 */
export class ViewCache<V> {
  private readonly entries = new Map<string, { value: V; until: number }>();
  private readonly flights = new Map<string, Promise<V | null>>();
  private listening = false;
  private readonly now: () => number;
  readonly stats = { hits: 0, misses: 0, bypassed: 0, invalidations: 0, clears: 0 };

  constructor(private readonly options: ViewCacheOptions<V>) {
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  get isListening(): boolean {
    return this.listening;
  }

  /** Turning listening on or off forgets everything: notifications may have been missed. */
  setListening(listening: boolean): void {
    this.clear();
    this.listening = listening;
  }

  async get(key: string, load: () => Promise<V | null>): Promise<V | null> {
    if (!this.listening) {
      this.stats.bypassed++;
      return load();
    }
    const hit = this.entries.get(key);
    if (hit) {
      if (hit.until > this.now()) {
        this.stats.hits++;
        return hit.value;
      }
      this.entries.delete(key);
    }
    const pending = this.flights.get(key);
    if (pending) return pending;
    this.stats.misses++;
    const flight: Promise<V | null> = load().then(
      (value) => {
        // Still this key's current read: no invalidation or clear happened since it started.
        if (this.flights.get(key) === flight) {
          this.flights.delete(key);
          if (value !== null && this.listening && this.options.cacheable(value)) this.store(key, value);
        }
        return value;
      },
      (err: unknown) => {
        if (this.flights.get(key) === flight) this.flights.delete(key);
        throw err;
      },
    );
    this.flights.set(key, flight);
    return flight;
  }

  /** `s:<id>` forgets one entry, `t:<group>` the entries of a group, `*` (or anything unknown) all. */
  handle(payload: string): void {
    this.stats.invalidations++;
    if (payload.startsWith('s:')) return this.invalidate(payload.slice(2));
    if (payload.startsWith('t:')) {
      const group = payload.slice(2);
      for (const [key, { value }] of this.entries) if (this.options.groupOf(value) === group) this.entries.delete(key);
      // A read in flight may belong to the group; which one is not known before it ends.
      this.flights.clear();
      return;
    }
    this.clear();
  }

  invalidate(key: string): void {
    this.entries.delete(key);
    this.flights.delete(key);
  }

  clear(): void {
    this.stats.clears++;
    this.entries.clear();
    this.flights.clear();
  }

  private store(key: string, value: V): void {
    this.entries.delete(key);
    if (this.entries.size >= this.options.maxEntries) {
      // Oldest first (Map keeps insertion order).
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { value, until: this.now() + this.options.ttlMs });
  }
}

/**
 * Session views (GET /api/sessions/:id) kept in memory, coherent across replicas: a
 * dedicated connection LISTENs to the changes the database triggers announce, and drops
 * the views they touch. Queued sessions are not kept (their queue position moves when other
 * sessions do). Without the listener connection, every read goes to the database.
 */
@Injectable()
export class SessionViewCache implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(SessionViewCache.name);
  readonly cache = new ViewCache<SessionView>({
    ttlMs: SESSION_VIEW_CACHE_TTL_MS,
    maxEntries: SESSION_VIEW_CACHE_MAX_ENTRIES,
    cacheable: (v) => v.state !== 'queued',
    groupOf: (v) => v.trialId,
  });
  private client: Client | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private failures = 0;
  private closed = false;
  /** Others that drop what a notification names (the notebook proxy's session cache). */
  private readonly notificationListeners: Array<(payload: string) => void> = [];

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  onNotification(listener: (payload: string) => void): void {
    this.notificationListeners.push(listener);
  }

  get(id: string, load: () => Promise<SessionView | null>): Promise<SessionView | null> {
    return this.cache.get(id, load);
  }

  get isListening(): boolean {
    return this.cache.isListening;
  }

  async onModuleInit(): Promise<void> {
    await this.connect();
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.cache.setListening(false);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  /** The backend pid of the listener connection (tests terminate it to prove the fallback). */
  get listenerPid(): number | null {
    return (this.client as unknown as { processID?: number } | null)?.processID ?? null;
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const options = this.dataSource.options as { url?: string; ssl?: unknown };
    const client = new Client({ connectionString: options.url, ssl: options.ssl as never, keepAlive: true, connectionTimeoutMillis: 10_000, application_name: 'trialhub-session-view-cache' });
    this.client = client;
    let lost = false;
    const onLost = (err?: Error) => {
      if (lost || this.client !== client) return;
      lost = true;
      this.cache.setListening(false);
      this.client = null;
      client.end().catch(() => undefined);
      if (!this.closed) {
        this.logger.warn(`Session view cache: listener connection lost (${err?.message ?? 'closed'}); reading from the database until it is back`);
        this.scheduleReconnect();
      }
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', (n) => {
      if (n.channel !== SESSION_CHANGES_CHANNEL || this.client !== client) return;
      this.cache.handle(n.payload ?? '*');
      for (const listener of this.notificationListeners) listener(n.payload ?? '*');
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${SESSION_CHANGES_CHANNEL}`);
    } catch (err) {
      onLost(err as Error);
      return;
    }
    if (lost || this.closed || this.client !== client) return;
    // Only from here on is every change announced to us: start caching now (empty).
    this.failures = 0;
    this.cache.setListening(true);
  }

  private scheduleReconnect(): void {
    if (this.retryTimer || this.closed) return;
    const delay = Math.min(100 * 2 ** this.failures, 5000);
    this.failures++;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.connect();
    }, delay);
    this.retryTimer.unref();
  }
}
