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
    reason: s.state === 'queued' ? queuedReason(s, extra.queuePosition) : s.state === 'waiting' ? waitingReason(s.reason) : s.reason,
    queuePosition: extra.queuePosition,
    // The portal's old path: it hands the owner off to the session's own origin when followed (a one-time token is
    // minted at click time, never kept in a cached, polled view).
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

/** Why a queued session waits for a slot of its profile, with its place: "Every x86-gpu slot is in use; you are 3rd in the queue". */
export function queuedReason(s: Pick<SessionEntity, 'profileName'>, position: number | null): string {
  return `Every ${s.profileName} slot is in use${position ? `; you are ${ordinal(position)} in the queue` : ''}`;
}

/**
 * Why a `waiting` session's pod has no node yet, in words, from the scheduler's message (kept as
 * the session's reason text and in the event history): "No GPU node has a free nvidia.com/gpu".
 * The one place that reads the scheduler's sentence; the state itself says that it waits.
 */
export function waitingReason(schedulerMessage: string | null): string {
  const message = schedulerMessage ?? '';
  if (/Insufficient nvidia\.com\/gpu/.test(message)) return 'No GPU node has a free nvidia.com/gpu';
  if (/Insufficient (cpu|memory)/.test(message)) return 'No node has enough free CPU or memory for this profile';
  if (/node affinity\/selector|untolerated taint/.test(message) && !/Insufficient/.test(message)) return 'No node in the cluster matches this profile';
  return `No node can take the notebook yet${message ? ` (${message})` : ''}`;
}

export function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th';
  return `${n}${suffix}`;
}
