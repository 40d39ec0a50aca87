import { Inject, Injectable, Logger } from '@nestjs/common';
import { AuditService, SYSTEM_ACTOR } from '../audit/audit.service';
import { SessionEntity } from '../database/entities';
import { SessionsRepository } from '../repositories/sessions.repository';
import { SESSION_RUNTIME, SessionRuntime } from '../runtime/session-runtime';
import { SessionMetrics } from './session-metrics';

/** How long one termination call may block a worker before it is retried on a later pass. */
const TERMINATE_WAIT_MS = 20_000;

/** Stopping and failing: the runtime's objects go (pod, secret, service), then the session is `stopped` or `failed`. */
@Injectable()
export class SessionTeardown {
  private readonly logger = new Logger('Teardown');

  constructor(
    private readonly sessions: SessionsRepository,
    @Inject(SESSION_RUNTIME) private readonly runtime: SessionRuntime,
    private readonly metrics: SessionMetrics,
    private readonly audit: AuditService,
  ) {}

  /**
   * A `stopping` session (user, admin, deadline, trial end; from any launched state, `waiting`
   * included): the pod gets its grace period for the preStop hook to save outputs, then the
   * session is `stopped`. Returns when to look again, or null when done.
   */
  async stop(s: SessionEntity): Promise<number | null> {
    const done = await Promise.race([
      this.runtime.terminate(s.id).then(() => true),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), TERMINATE_WAIT_MS).unref()),
    ]);
    if (!done) return 1000;
    await this.sessions.transaction(async (m) => {
      const ended = s.stopReason === 'trial-ended';
      await this.sessions.transition(m, s, {
        to: 'stopped',
        reason: s.stopReason ?? 'stopped',
        message: ended
          ? 'Stopped: the trial ended; outputs were saved and the notebook is gone'
          : 'Stopped: the notebook and its credentials are gone; the workspace stays while the trial lasts',
        patch: { stoppedAt: new Date(), endpointHost: null, endpointPort: null },
      });
      await this.audit.record(SYSTEM_ACTOR, 'session.teardown', { type: 'session', id: s.id }, { userId: s.userId, reason: s.stopReason }, m);
    });
    return null;
  }

  /** A failure the user can read; what is left in the runtime is cleaned up (the garbage collector retries). */
  async fail(s: SessionEntity, reasonCode: string, message: string): Promise<void> {
    if (s.state === 'failed' || s.state === 'stopped') return;
    await this.sessions.transaction((m) => this.sessions.transition(m, s, { to: 'failed', reason: reasonCode, message: `Failed: ${message}`, patch: { reason: message, stoppedAt: new Date() } }));
    this.metrics.failed(s, reasonCode);
    void this.runtime.terminate(s.id, { gracePeriodSeconds: 5 }).catch((err) => this.logger.warn(`Cleanup of failed session ${s.id}: ${err.message}`));
  }
}
