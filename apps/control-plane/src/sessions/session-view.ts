import type { SessionEventView, SessionView } from '@trialhub/contracts';
import { SessionEntity, SessionEventEntity } from '../database/entities';

export function toEventView(e: SessionEventEntity): SessionEventView {
  return { at: e.at.toISOString(), from: e.fromState, to: e.toState, reason: e.reason, message: e.message };
}

export function toSessionView(
  s: SessionEntity,
  extra: { events: SessionEventEntity[]; queuePosition: number | null; trialExpiresAt: Date | null; maxRuntimeMs: number },
): SessionView {
  const running = s.state === 'ready' || s.state === 'starting' || s.state === 'provisioning';
  const since = s.readyAt ?? s.startedAt;
  return {
    id: s.id,
    trialId: s.trialId,
    userId: s.userId,
    profile: s.profileName,
    state: s.state,
    reason: s.reason,
    queuePosition: extra.queuePosition,
    notebookUrl: s.state === 'ready' && s.mode !== 'headless' ? `/notebook/${s.id}/tree` : null,
    createdAt: s.createdAt.toISOString(),
    readyAt: s.readyAt?.toISOString() ?? null,
    stoppedAt: s.stoppedAt?.toISOString() ?? null,
    stopsAt: running && since ? new Date(Math.min(since.getTime() + extra.maxRuntimeMs, extra.trialExpiresAt?.getTime() ?? Infinity)).toISOString() : null,
    trialExpiresAt: extra.trialExpiresAt?.toISOString() ?? null,
    mode: s.mode,
    events: extra.events.map(toEventView),
  };
}
