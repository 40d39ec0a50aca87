import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ARTIFACT_STORE, ArtifactStore } from './artifact-store';

/**
 * Deletes a result with its files: the rows first (artifacts and share links go with the
 * result), then the stored objects. An object whose delete fails is an orphan the sweep removes.
 */
@Injectable()
export class ResultRemover {
  private readonly logger = new Logger('ResultRemover');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(ARTIFACT_STORE) private readonly store: ArtifactStore,
  ) {}

  /** Returns false when there was no such result. */
  async remove(resultId: string): Promise<boolean> {
    const keys = await this.dataSource.transaction(async (manager) => {
      const rows: Array<{ storage_key: string }> = await manager.query(`SELECT storage_key FROM artifacts WHERE result_id = $1`, [resultId]);
      const [, deleted] = (await manager.query(`DELETE FROM results WHERE id = $1`, [resultId])) as [unknown, number];
      return deleted ? rows.map((r) => r.storage_key) : null;
    });
    if (!keys) return false;
    for (const key of keys) {
      await this.store.delete(key).catch((err) => this.logger.warn({ err, key }, 'Could not delete a stored file; the artifact sweep will remove it'));
    }
    return true;
  }
}
