/**
 * A small expiring map. The proxy answers every notebook request (a page load is dozens),
 * so who is logged in and where a session listens are remembered for a second or two
 * instead of asked of PostgreSQL each time.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  get(key: string): V | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.expiresAt <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return hit.value;
  }

  set(key: string, value: V): void {
    // Bounded: when full, the oldest entries (Map keeps insertion order) make room.
    if (this.entries.size >= this.maxEntries) {
      const drop = this.entries.keys();
      for (let i = 0; i < this.maxEntries / 10; i++) this.entries.delete(drop.next().value as string);
    }
    this.entries.set(key, { value, expiresAt: Date.now() + this.ttlMs });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  /** Drops every entry the predicate picks (a log-out ends all notebook cookies derived from it). */
  deleteWhere(picks: (value: V) => boolean): void {
    for (const [key, { value }] of this.entries) if (picks(value)) this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
