import { Logger } from '@nestjs/common';
import type { SessionState } from '@trialhub/contracts';

const logger = new Logger('Lifecycle');

export interface TransitionLogEntry {
  sessionId: string;
  userId: string;
  trialId: string;
  from: SessionState | null;
  to: SessionState;
  reason: string | null;
  /** For `ready`: milliseconds from the launch (queued) to ready. */
  msToReady?: number;
}

/** The fields and sentence of one lifecycle line (pure, so its shape is tested). */
export function transitionLogLine(e: TransitionLogEntry): { fields: Record<string, unknown>; message: string } {
  const fields: Record<string, unknown> = { event: `session.${e.to}`, sessionId: e.sessionId, userId: e.userId, trialId: e.trialId, from: e.from, to: e.to, reason: e.reason };
  if (e.to === 'ready' && e.msToReady !== undefined) fields.msToReady = e.msToReady;
  const ready = fields.msToReady !== undefined ? ` in ${(e.msToReady! / 1000).toFixed(1)} s` : '';
  return { fields, message: `Session ${e.sessionId}: ${e.from ?? 'new'} -> ${e.to}${e.reason ? ` (${e.reason})` : ''}${ready}` };
}

/** One info line per state change; called only by the sessions repository, which makes every change. */
export function logTransition(e: TransitionLogEntry): void {
  const { fields, message } = transitionLogLine(e);
  logger.log(fields, message);
}
