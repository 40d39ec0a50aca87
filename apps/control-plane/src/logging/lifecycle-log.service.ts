import { Injectable, Logger } from '@nestjs/common';

/** The lifecycle events operators follow; session transitions are logged where they are applied (sessions/). */
export type LifecycleEvent = 'user.signed-up' | 'trial.started' | 'trial.waitlisted' | 'trial.ended' | 'result.saved' | 'share.created' | 'share.revoked';

type Ids = { userId?: string; trialId?: string; sessionId?: string; resultId?: string; shareId?: string };

/**
 * One info line per lifecycle event, with the ids that find it (`event`, `userId`, `trialId`, …
 * as JSON fields) and a sentence. Written after the change committed, so a line means it happened.
 * Never an email address or a token: ids only.
 */
@Injectable()
export class LifecycleLog {
  private readonly logger = new Logger('Lifecycle');

  signedUp(ids: { userId: string; trialId: string }, trialState: string): void {
    this.write('user.signed-up', ids, `User ${ids.userId} signed up; trial ${ids.trialId} is ${trialState}`);
  }

  trialStarted(ids: { userId: string; trialId: string }, expiresAt: Date | null, how: 'at sign-up' | 'from the waitlist' | 'granted'): void {
    this.write('trial.started', ids, `Trial ${ids.trialId} of user ${ids.userId} started ${how}; it ends ${expiresAt?.toISOString() ?? 'never'}`, { expiresAt: expiresAt?.toISOString() ?? null });
  }

  trialWaitlisted(ids: { userId: string; trialId: string }): void {
    this.write('trial.waitlisted', ids, `Trial ${ids.trialId} of user ${ids.userId} waits in the waitlist`);
  }

  trialEnded(ids: { userId: string; trialId: string }, reason: string): void {
    this.write('trial.ended', ids, `Trial ${ids.trialId} of user ${ids.userId} ended (${reason})`, { reason });
  }

  resultSaved(ids: { userId: string; sessionId: string; resultId: string }, runName: string): void {
    this.write('result.saved', ids, `Result ${ids.resultId} saved from session ${ids.sessionId} (run "${runName}")`, { runName });
  }

  shareCreated(ids: { userId: string; resultId: string; shareId: string }, expiresAt: Date | null): void {
    this.write('share.created', ids, `Share link ${ids.shareId} created for result ${ids.resultId}`, { expiresAt: expiresAt?.toISOString() ?? null });
  }

  shareRevoked(ids: { userId: string; resultId: string; shareId: string }): void {
    this.write('share.revoked', ids, `Share link ${ids.shareId} of result ${ids.resultId} revoked`);
  }

  private write(event: LifecycleEvent, ids: Ids, msg: string, extra: Record<string, unknown> = {}): void {
    // An object first: PinoNestLogger puts its fields on the JSON line beside `msg`.
    this.logger.log({ event, ...ids, ...extra, msg });
  }
}
