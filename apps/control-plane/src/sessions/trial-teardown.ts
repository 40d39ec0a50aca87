import { Inject, Injectable, Logger } from '@nestjs/common';
import { AuditService, SYSTEM_ACTOR } from '../audit/audit.service';
import { settleWithLimit } from '../common/map-limit';
import { TrialsRepository } from '../repositories/trials.repository';
import { WorkspacesRepository } from '../repositories/workspaces.repository';
import { SESSION_RUNTIME, SessionRuntime } from '../runtime/session-runtime';
import { SessionMetrics } from './session-metrics';

/** Trials whose workspaces one teardown round claims. */
const TEARDOWN_BATCH = 500;

/** Deletes the workspace of every ended trial once none of its sessions is unfinished. */
@Injectable()
export class TrialTeardown {
  private readonly logger = new Logger('TrialTeardown');

  constructor(
    private readonly trials: TrialsRepository,
    private readonly workspaces: WorkspacesRepository,
    @Inject(SESSION_RUNTIME) private readonly runtime: SessionRuntime,
    private readonly metrics: SessionMetrics,
    private readonly audit: AuditService,
  ) {}

  async run(): Promise<void> {
    for (;;) {
      // Claimed in one statement (SKIP LOCKED: replicas take different trials), deleted in parallel.
      const batch = await this.trials.claimForTeardown(TEARDOWN_BATCH);
      if (!batch.length) return;
      const outcomes = await settleWithLimit(batch, 32, (t) => this.runtime.deleteWorkspace(t.id));
      const done = batch.filter((_, i) => outcomes[i].status === 'fulfilled');
      const failed = batch.filter((_, i) => outcomes[i].status === 'rejected');
      await this.workspaces.transaction(async (m) => {
        if (done.length) {
          await this.workspaces.markDeleted(done.map((t) => t.id), m);
          await this.audit.recordMany(SYSTEM_ACTOR, 'trial.teardown', done.map((t) => ({ type: 'trial', id: t.id })), m);
        }
        // Not deleted (the API server refused or was away): the next pass tries again.
        await this.trials.releaseTeardown(m, failed.map((t) => t.id));
      });
      for (const [i, t] of failed.entries()) if (i < 3) this.logger.warn(`Workspace of trial ${t.id} not deleted yet: ${((outcomes[batch.indexOf(t)] as PromiseRejectedResult).reason as Error).message}`);
      for (const t of done) if (t.end_reason === 'expired' && t.expires_at) this.metrics.teardownLag.observe((Date.now() - new Date(t.expires_at).getTime()) / 1000);
      if (batch.length < TEARDOWN_BATCH || failed.length) return;
    }
  }
}
