import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { WorkspaceEntity } from '../database/entities';

const READY: WorkspaceEntity['state'] = 'ready';
const DELETED: WorkspaceEntity['state'] = 'deleted';

/** The only place that writes the `workspaces` table (one row per trial: its persistent volume). */
@Injectable()
export class WorkspacesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /** The runtime holds the trial's workspace: recorded (again) as ready. */
  async markReady(trialId: string, userId: string, size: string): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO workspaces (trial_id, user_id, state, size) VALUES ($1, $2, $4, $3) ON CONFLICT (trial_id) DO UPDATE SET state = $4, deleted_at = NULL`,
      [trialId, userId, size, READY],
    );
  }

  /** The runtime deleted these trials' workspaces. */
  async markDeleted(trialIds: string[], manager: EntityManager = this.dataSource.manager): Promise<void> {
    if (!trialIds.length) return;
    await manager.query(`UPDATE workspaces SET state = $2, deleted_at = now() WHERE trial_id::text = ANY($1) AND state <> $2`, [trialIds, DELETED]);
  }
}
