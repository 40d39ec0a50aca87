import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export interface CounterState {
  key: string;
  hits: number;
  /** Seconds until this key's window ends. */
  resetsInSeconds: number;
}

/** Bumps a counter: a new window when the old one has ended, else one more hit in it. */
const UPSERT = (table: string) => `ON CONFLICT (key) DO UPDATE SET
    hits = CASE WHEN ${table}.resets_at <= now() THEN 1 ELSE ${table}.hits + 1 END,
    resets_at = CASE WHEN ${table}.resets_at <= now() THEN EXCLUDED.resets_at ELSE ${table}.resets_at END
  RETURNING key, hits, resets_at`;

/** The counters in PostgreSQL, so every replica counts the same hits (fixed windows). */
@Injectable()
export class RateLimitCountersRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * One hit, in one statement (atomic, whatever the replicas do at the same moment): `first` is
   * always counted; `then` only while `first` is within `firstLimit`. So requests refused by the
   * first key do not fill the others (see rate-limit-policy.ts for why that matters).
   */
  async hit(first: string, firstLimit: number, then: string[], windowMs: number): Promise<CounterState[]> {
    const rows: Array<{ key: string; hits: number; resets_in: number }> = await this.dataSource.query(
      `WITH first AS (
         INSERT INTO rate_limit_counters AS c (key, hits, resets_at) VALUES ($1, 1, now() + $2 * interval '1 millisecond')
         ${UPSERT('c')}
       ), later AS (
         INSERT INTO rate_limit_counters AS c (key, hits, resets_at)
         SELECT k, 1, now() + $2 * interval '1 millisecond' FROM unnest($3::text[]) AS k, first WHERE first.hits <= $4
         ${UPSERT('c')}
       )
       SELECT key, hits, GREATEST(1, CEIL(EXTRACT(EPOCH FROM resets_at - now())))::int AS resets_in FROM first
       UNION ALL SELECT key, hits, GREATEST(1, CEIL(EXTRACT(EPOCH FROM resets_at - now())))::int FROM later`,
      [first, windowMs, then, firstLimit],
    );
    return rows.map((r) => ({ key: r.key, hits: r.hits, resetsInSeconds: r.resets_in }));
  }

  /** Drops windows that ended; returns how many. */
  async pruneExpired(): Promise<number> {
    const [, count] = await this.dataSource.query(`DELETE FROM rate_limit_counters WHERE resets_at < now()`);
    return count;
  }
}
