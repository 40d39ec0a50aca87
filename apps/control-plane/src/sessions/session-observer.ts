import { Inject, Injectable } from '@nestjs/common';
import { SessionEntity } from '../database/entities';
import { SessionsRepository } from '../repositories/sessions.repository';
import { SESSION_RUNTIME, SessionRuntime } from '../runtime/session-runtime';
import { SessionMetrics } from './session-metrics';
import { decide } from './session-observation';
import { SessionTeardown } from './session-teardown';

/** A starting session the runtime has not seen for this long is reported lost. */
export const LOST_AFTER_MS = 60_000;
/** How often a waiting session is looked at without a runtime event (a backstop for a missed one). */
const WAITING_RECHECK_MS = 30_000;

/**
 * Observation: what the runtime reports, mapped onto the state machine (`decide`).
 * - starting → ready when Jupyter answers;
 * - starting → waiting when no node has room (the pod stays; the scheduler places it when it can);
 * - waiting → starting when a GPU frees up and a node takes the pod (then ready as usual);
 * - any of them → failed with a readable reason, or lost when the pod vanished.
 */
@Injectable()
export class SessionObserver {
  constructor(
    private readonly sessions: SessionsRepository,
    @Inject(SESSION_RUNTIME) private readonly runtime: SessionRuntime,
    private readonly metrics: SessionMetrics,
    private readonly teardown: SessionTeardown,
  ) {}

  /** Returns when to look again (ms), or null when only a runtime event or an API call should wake it. */
  async observe(s: SessionEntity): Promise<number | null> {
    const since = Date.now() - (s.startedAt?.getTime() ?? s.queuedAt.getTime());
    const decision = decide(s.state, this.runtime.observe(s.id), since, LOST_AFTER_MS);
    switch (decision.kind) {
      case 'ready': {
        const o = decision.observation;
        const now = new Date();
        await this.sessions.transaction((m) =>
          this.sessions.transition(m, s, {
            to: 'ready',
            reason: 'ready',
            message: o.localMode === 'headless' ? 'Ready: Jupyter is not installed here, so the trainer runs headless' : 'Ready: the notebook is open for you',
            patch: { readyAt: now, lastActivityAt: now, endpointHost: o.endpoint?.host ?? null, endpointPort: o.endpoint?.port ?? null, node: o.node ?? null, mode: o.localMode ?? 'jupyter', reason: null },
          }),
        );
        this.metrics.launched(s);
        return null;
      }
      case 'fail':
        await this.teardown.fail(s, decision.reasonCode, decision.message);
        return null;
      case 'lost':
        await this.teardown.fail(s, 'Lost', s.state === 'ready' ? 'The notebook stopped unexpectedly' : 'The notebook disappeared before it started');
        return null;
      case 'wait':
        // The scheduler's sentence is kept as the reason text; the state says what it means.
        await this.sessions.transaction((m) =>
          this.sessions.transition(m, s, { to: 'waiting', reason: 'Unschedulable', message: `Waiting for capacity: ${decision.message}`, patch: { reason: decision.message } }),
        );
        return WAITING_RECHECK_MS;
      case 'scheduled':
        await this.sessions.transaction((m) =>
          this.sessions.transition(m, s, { to: 'starting', reason: 'scheduled', message: 'Capacity freed up: a node took the notebook', patch: { reason: null, startedAt: new Date() } }),
        );
        return this.observe(s);
      case 'none':
        return s.state === 'starting' ? 5000 : s.state === 'waiting' ? WAITING_RECHECK_MS : null;
    }
  }
}
