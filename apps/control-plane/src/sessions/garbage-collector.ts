import { Inject, Injectable, Logger } from '@nestjs/common';
import { SessionsRepository } from '../repositories/sessions.repository';
import { TrialsRepository } from '../repositories/trials.repository';
import { WorkspacesRepository } from '../repositories/workspaces.repository';
import { SESSION_RUNTIME, SessionRuntime } from '../runtime/session-runtime';

/** Anything of ours in the runtime that the database does not know, or knows as finished, is deleted. */
@Injectable()
export class GarbageCollector {
  private readonly logger = new Logger('GarbageCollector');

  constructor(
    private readonly sessions: SessionsRepository,
    private readonly trials: TrialsRepository,
    private readonly workspaces: WorkspacesRepository,
    @Inject(SESSION_RUNTIME) private readonly runtime: SessionRuntime,
  ) {}

  /** Throws on a database or runtime error; the caller retries on its next round. */
  async collect(): Promise<{ sessions: string[]; trials: string[] }> {
    const managed = await this.runtime.listManaged();
    const liveSessions = managed.sessionIds.length ? await this.sessions.unfinishedAmong(managed.sessionIds) : new Set<string>();
    const liveTrials = managed.trialIds.length ? await this.trials.notTornDownAmong(managed.trialIds) : new Set<string>();
    const removed = { sessions: managed.sessionIds.filter((id) => !liveSessions.has(id)), trials: managed.trialIds.filter((id) => !liveTrials.has(id)) };
    await Promise.all(removed.sessions.map((id) => this.runtime.terminate(id, { gracePeriodSeconds: 0 })));
    await Promise.all(removed.trials.map((id) => this.runtime.deleteWorkspace(id)));
    // E.g. a teardown interrupted between claiming a trial and deleting its claim.
    await this.workspaces.markDeleted(removed.trials);
    if (removed.sessions.length || removed.trials.length) {
      this.logger.warn(`Garbage collected ${removed.sessions.length} session(s) and ${removed.trials.length} workspace(s) the database does not know as live`);
    }
    return removed;
  }
}
