import { ConflictException } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { assertTransition, SessionState } from '@trialhub/contracts';
import { SessionEntity, SessionEventEntity } from '../database/entities';

export interface TransitionInput {
  to: SessionState;
  /** Short machine reason (`ImagePullBackOff`, `max-runtime`, `user`). */
  reason?: string | null;
  /** Sentence for the user's event history. */
  message: string;
  /** Other columns that change with the state (timestamps, endpoint, reason text). */
  patch?: Partial<SessionEntity>;
}

/**
 * The one function that changes a session's state: checks the transition table, updates the
 * row only if it is still in the state the caller saw (so concurrent writers cannot both
 * win), and writes the event in the same transaction.
 */
export async function applyTransition(manager: EntityManager, session: SessionEntity, input: TransitionInput): Promise<SessionEntity> {
  const from = session.state;
  assertTransition(from, input.to);
  const changes: Partial<SessionEntity> = { ...input.patch, state: input.to };
  if (input.reason !== undefined && !('reasonCode' in (input.patch ?? {}))) changes.reasonCode = input.reason;
  const result = await manager
    .createQueryBuilder()
    .update(SessionEntity)
    .set(changes as never)
    .where('id = :id AND state = :from', { id: session.id, from })
    .execute();
  if (!result.affected) throw new ConflictException(`The session changed meanwhile (it is no longer ${from}); reload and try again.`);
  await manager.insert(SessionEventEntity, { sessionId: session.id, fromState: from, toState: input.to, reason: input.reason ?? null, message: input.message });
  return Object.assign(session, changes);
}

/** An event without a state change (progress, warnings, queue position news). */
export async function recordSessionEvent(manager: EntityManager, sessionId: string, message: string, reason: string | null = null): Promise<void> {
  await manager.insert(SessionEventEntity, { sessionId, fromState: null, toState: null, reason, message });
}
