import { Injectable, Logger } from '@nestjs/common';
import type { SessionState, TrialState } from '@trialhub/contracts';
import { QuotasService } from '../quotas/quotas.service';
import { BulkTransition, SessionsRepository } from '../repositories/sessions.repository';
import { SqlParams } from '../repositories/sql-params';

/** Sessions that run (and so can reach a maximum runtime). */
const RUNNING: readonly SessionState[] = ['provisioning', 'starting', 'ready'];
/** Sessions with objects in the runtime that the end of their trial stops gracefully. */
const LAUNCHED: readonly SessionState[] = ['provisioning', 'starting', 'waiting', 'ready'];
const ENDED: TrialState = 'ended';
const trialOver = (p: SqlParams) => `EXISTS (SELECT 1 FROM trials t WHERE t.id = s.trial_id AND (t.state = ${p.add(ENDED)} OR t.expires_at <= now()))`;

/**
 * Deadlines are data: sessions past their maximum runtime, idle timeout or trial go to
 * `stopping` (the graceful path: the pod's preStop hook saves outputs) in set-based statements,
 * checked against the transition table, each move with its event. 10,000 expiries cost a few
 * statements. Returns the sessions that now have teardown work.
 */
@Injectable()
export class SessionDeadlines {
  private readonly logger = new Logger('Deadlines');

  constructor(
    private readonly sessions: SessionsRepository,
    private readonly quotas: QuotasService,
  ) {}

  async enforce(): Promise<string[]> {
    const q = await this.quotas.current();
    const stopping = (move: Omit<BulkTransition, 'to' | 'set'>) =>
      this.move({ ...move, to: 'stopping', set: (p) => `stop_reason = ${p.add(move.reason)}, next_check_at = NULL` });
    const moved = [
      ...(await stopping({
        from: RUNNING,
        reason: 'max-runtime',
        message: 'Stopping: the session reached its maximum runtime',
        where: (p) => `COALESCE(s.ready_at, s.started_at) + (COALESCE(s.max_runtime_ms, ${p.add(q.sessionMaxRuntimeMs)}::bigint) * interval '1 millisecond') <= now()`,
      })),
      ...(await stopping({
        from: ['ready'],
        reason: 'idle',
        message: 'Stopping: the notebook was idle too long',
        where: (p) => `COALESCE(s.last_activity_at, s.ready_at) + (COALESCE(s.idle_timeout_ms, ${p.add(q.idleTimeoutMs)}::bigint) * interval '1 millisecond') <= now()`,
      })),
      ...(await stopping({ from: LAUNCHED, reason: 'trial-ended', reasonText: 'The trial ended', message: 'Stopping: the trial ended; saving outputs', where: trialOver })),
    ];
    // Queued sessions of ended trials never started: nothing to tear down, they stop at once.
    await this.move({
      from: ['queued'],
      to: 'stopped',
      reason: 'trial-ended',
      reasonText: 'The trial ended',
      message: 'Stopped: the trial ended before the session started',
      where: trialOver,
      set: (p) => `stopped_at = now(), stop_reason = ${p.add('trial-ended')}`,
    });
    return moved;
  }

  private async move(move: BulkTransition): Promise<string[]> {
    const ids = await this.sessions.transitionMany(this.sessions.manager, move);
    if (ids.length) this.logger.log(`${ids.length} session(s) ${move.to} (${move.reason})`);
    return ids;
  }
}
