/** The lifecycle of one notebook session (see docs/architecture.md). */
export const SESSION_STATES = ['queued', 'provisioning', 'starting', 'ready', 'stopping', 'stopped', 'failed'] as const;
export type SessionState = (typeof SESSION_STATES)[number];

/** The one table of allowed transitions; every caller goes through `assertTransition`. */
export const SESSION_TRANSITIONS: Readonly<Record<SessionState, readonly SessionState[]>> = {
  queued: ['provisioning', 'stopping', 'stopped', 'failed'],
  provisioning: ['starting', 'queued', 'stopping', 'failed'],
  starting: ['ready', 'queued', 'stopping', 'failed'],
  ready: ['stopping', 'failed'],
  stopping: ['stopped', 'failed'],
  // A stopped session can be resumed while its trial lasts.
  stopped: ['queued'],
  failed: ['queued'],
};

/** States in which a session holds (or is about to hold) runtime resources. */
export const ACTIVE_SESSION_STATES: readonly SessionState[] = ['queued', 'provisioning', 'starting', 'ready', 'stopping'];
/** States in which a session occupies a capacity slot of its profile. */
export const SLOT_HOLDING_STATES: readonly SessionState[] = ['provisioning', 'starting', 'ready', 'stopping'];
export const TERMINAL_SESSION_STATES: readonly SessionState[] = ['stopped', 'failed'];

export function canTransition(from: SessionState, to: SessionState): boolean {
  return SESSION_TRANSITIONS[from].includes(to);
}

export class IllegalTransitionError extends Error {
  constructor(
    readonly from: SessionState,
    readonly to: SessionState,
  ) {
    super(`A session cannot go from ${from} to ${to}`);
  }
}

export function assertTransition(from: SessionState, to: SessionState): void {
  if (!canTransition(from, to)) throw new IllegalTransitionError(from, to);
}
