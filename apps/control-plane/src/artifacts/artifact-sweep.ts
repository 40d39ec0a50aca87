import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { SLOT_HOLDING_STATES } from '@trialhub/contracts';
import { AppConfig } from '../config/app-config';
import { ARTIFACT_STORE, ArtifactStore, StoredObject } from './artifact-store';
import { ResultRemover } from './result-remover';

/** Store objects younger than this are left alone: they may be uploads whose row is about to be written. */
export const ORPHAN_GRACE_MS = 60 * 60 * 1000;
/** A run never completed is dropped this long after its session ended. */
export const ABANDONED_RUN_GRACE_MS = 60 * 60 * 1000;
const BATCH = 1000;

export interface SweepReport {
  skipped?: 'another replica is sweeping';
  orphansDeleted: number;
  missingRowsDeleted: number;
}

/**
 * Keeps the store and the database in agreement, once per cluster (advisory lock):
 * expired results and abandoned runs are deleted with their files; stored objects no row
 * knows are deleted after a grace period; rows whose object is gone are dropped, loudly.
 */
@Injectable()
export class ArtifactSweep implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ArtifactSweep');
  private expiring = false;
  private sweeping = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(ARTIFACT_STORE) private readonly store: ArtifactStore,
    private readonly remover: ResultRemover,
    private readonly registry: SchedulerRegistry,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const tick = this.config.schedulerIntervalMs;
    this.registry.addInterval('artifact-retention', setInterval(() => void this.guarded('expiring', () => this.expireResults()), tick));
    // Listing a whole bucket is not free: far less often than the deadline tick.
    this.registry.addInterval('artifact-sweep', setInterval(() => void this.guarded('sweeping', () => this.sweep()), Math.max(60_000, tick * 60)));
  }

  onApplicationShutdown(): void {
    for (const name of ['artifact-retention', 'artifact-sweep']) if (this.registry.doesExist('interval', name)) this.registry.deleteInterval(name);
  }

  private async guarded(flag: 'expiring' | 'sweeping', job: () => Promise<unknown>): Promise<void> {
    if (this[flag]) return;
    this[flag] = true;
    try {
      await job();
    } catch (err) {
      this.logger.error({ err }, `Artifact ${flag === 'expiring' ? 'retention' : 'sweep'} failed; retrying on the next tick`);
    } finally {
      this[flag] = false;
    }
  }

  /** Deletes results past their retention and runs whose session ended without completing them. Returns how many. */
  async expireResults(): Promise<number> {
    return (await this.withClusterLock('trialhub:artifact-retention', async () => {
      const due: Array<{ id: string }> = await this.dataSource.query(
        `SELECT r.id FROM results r LEFT JOIN sessions s ON s.id = r.session_id
          WHERE r.expires_at <= now()
             OR (r.state = 'uploading' AND r.created_at < now() - make_interval(secs => $1)
                 AND (s.id IS NULL OR NOT (s.state = ANY($2)) AND COALESCE(s.stopped_at, r.created_at) < now() - make_interval(secs => $1)))
          LIMIT 500`,
        [ABANDONED_RUN_GRACE_MS / 1000, SLOT_HOLDING_STATES],
      );
      let removed = 0;
      for (const { id } of due) if (await this.remover.remove(id)) removed++;
      if (removed) this.logger.log(`Deleted ${removed} expired or abandoned result(s) with their files`);
      return removed;
    })) ?? 0;
  }

  /** Reconciles the store with the artifacts table. */
  async sweep(options: { graceMs?: number } = {}): Promise<SweepReport> {
    const graceMs = options.graceMs ?? ORPHAN_GRACE_MS;
    const report = await this.withClusterLock('trialhub:artifact-sweep', async () => {
      const [{ now }]: Array<{ now: Date }> = await this.dataSource.query(`SELECT now() AS now`);
      const listed = new Map<string, StoredObject>();
      for await (const object of this.store.list()) listed.set(object.key, object);

      let orphansDeleted = 0;
      const keys = [...listed.keys()];
      for (let i = 0; i < keys.length; i += BATCH) {
        const batch = keys.slice(i, i + BATCH);
        const known = new Set((await this.dataSource.query(`SELECT storage_key FROM artifacts WHERE storage_key = ANY($1)`, [batch]) as Array<{ storage_key: string }>).map((r) => r.storage_key));
        for (const key of batch) {
          if (known.has(key) || listed.get(key)!.modifiedAt.getTime() > now.getTime() - graceMs) continue;
          await this.store.delete(key);
          orphansDeleted++;
        }
      }
      if (orphansDeleted) this.logger.warn(`Deleted ${orphansDeleted} stored file(s) the database did not know (interrupted uploads or failed deletes)`);

      // A row is written only after its object is complete, so a row older than the listing must have been listed.
      let missingRowsDeleted = 0;
      let after = '00000000-0000-0000-0000-000000000000';
      for (;;) {
        const rows: Array<{ id: string; storage_key: string; result_id: string; name: string }> = await this.dataSource.query(
          `SELECT id, storage_key, result_id, name FROM artifacts WHERE created_at < $1 AND id > $2 ORDER BY id LIMIT ${BATCH}`,
          [now, after],
        );
        if (!rows.length) break;
        after = rows[rows.length - 1].id;
        for (const row of rows) {
          if (listed.has(row.storage_key)) continue;
          this.logger.error({ artifactId: row.id, resultId: row.result_id, name: row.name, key: row.storage_key }, `The stored file of ${row.name} (result ${row.result_id}) is missing; dropping its row`);
          await this.dataSource.query(`DELETE FROM artifacts WHERE id = $1 AND storage_key = $2`, [row.id, row.storage_key]);
          missingRowsDeleted++;
        }
      }
      return { orphansDeleted, missingRowsDeleted };
    });
    return report ?? { skipped: 'another replica is sweeping', orphansDeleted: 0, missingRowsDeleted: 0 };
  }

  /** Runs `job` if no other replica holds the lock; null otherwise. */
  private async withClusterLock<T>(name: string, job: () => Promise<T>): Promise<T | null> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const [{ locked }] = await runner.query(`SELECT pg_try_advisory_lock(hashtext($1)) AS locked`, [name]);
      if (!locked) return null;
      try {
        return await job();
      } finally {
        await runner.query(`SELECT pg_advisory_unlock(hashtext($1))`, [name]);
      }
    } finally {
      await runner.release();
    }
  }
}
