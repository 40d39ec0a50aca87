import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** How long views are gathered before they are written. */
const FLUSH_EVERY_MS = 1000;

/**
 * Counts share page views in memory and writes them in one statement per second: a
 * popular link would otherwise make every view wait for the same row lock. The owner's
 * list flushes first, so it always shows every view so far.
 */
@Injectable()
export class ShareViewCounter implements OnApplicationShutdown {
  private readonly logger = new Logger('ShareViews');
  private pending = new Map<string, { views: number; lastViewedAt: Date }>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  count(shareId: string): void {
    const entry = this.pending.get(shareId);
    if (entry) {
      entry.views++;
      entry.lastViewedAt = new Date();
    } else this.pending.set(shareId, { views: 1, lastViewedAt: new Date() });
    this.timer ??= setTimeout(() => void this.flush(), FLUSH_EVERY_MS);
  }

  /** Writes every view counted so far. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.pending;
    this.pending = new Map();
    this.flushing = this.flushing.then(async () => {
      if (!batch.size) return;
      const ids = [...batch.keys()];
      try {
        await this.dataSource.query(
          `UPDATE share_links s SET view_count = s.view_count + v.views, last_viewed_at = GREATEST(s.last_viewed_at, v.at)
             FROM unnest($1::uuid[], $2::int[], $3::timestamptz[]) AS v(id, views, at) WHERE s.id = v.id`,
          [ids, ids.map((id) => batch.get(id)!.views), ids.map((id) => batch.get(id)!.lastViewedAt)],
        );
      } catch (err) {
        this.logger.warn({ err, links: ids.length }, 'Could not record share link views');
      }
    });
    return this.flushing;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flush();
  }
}
