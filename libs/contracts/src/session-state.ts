/** The lifecycle of one notebook session (see docs/architecture.md). */
export const SESSION_STATES = ['queued', 'provisioning', 'starting', 'waiting', 'ready', 'stopping', 'stopped', 'failed'] as const;
export type SessionState = (typeof SESSION_STATES)[number];

/** The one table of allowed transitions; every caller goes through `assertTransition`. */
export const SESSION_TRANSITIONS: Readonly<Record<SessionState, readonly SessionState[]>> = {
  queued: ['provisioning', 'stopping', 'stopped', 'failed'],
  provisioning: ['starting', 'stopping', 'failed'],
  // `waiting`: launched, but no node has room (the scheduler's Unschedulable); the pod stays and waits for capacity.
  starting: ['ready', 'waiting', 'stopping', 'failed'],
  waiting: ['starting', 'stopping', 'failed'],
  ready: ['stopping', 'failed'],
  stopping: ['stopped', 'failed'],
  // A stopped session can be resumed while its trial lasts.
  stopped: ['queued'],
  failed: ['queued'],
};

/** States counted against a user's session limit: everything not finished. */
export const ACTIVE_SESSION_STATES: readonly SessionState[] = ['queued', 'provisioning', 'starting', 'waiting', 'ready', 'stopping'];
/** States in which a session has (or may have) objects in the runtime: everything admitted and not finished. */
export const RUNTIME_SESSION_STATES: readonly SessionState[] = ['provisioning', 'starting', 'waiting', 'ready', 'stopping'];
/**
 * The one rule for capacity: states in which a session occupies a slot of its profile. A
 * `waiting` session does not: its pod waits on the cluster's capacity, not on the profile's
 * slots, so a freed GPU goes to the oldest waiting pod (the scheduler's own FIFO) while the
 * profile's slots keep bounding how many pods Trialhub asks for.
 */
export const SLOT_HOLDING_STATES: readonly SessionState[] = ['provisioning', 'starting', 'ready', 'stopping'];
export const TERMINAL_SESSION_STATES: readonly SessionState[] = ['stopped', 'failed'];

export function holdsCapacitySlot(state: SessionState): boolean {
  return SLOT_HOLDING_STATES.includes(state);
}

/**
 * The states among `candidates` from which the table allows a move to `to`, for set-based
 * statements (`state = ANY($1)`); throws when a candidate may not make the move, so a query
 * cannot drift from the table.
 */
export function statesThatMayBecome(to: SessionState, candidates?: readonly SessionState[]): SessionState[] {
  if (!candidates) return SESSION_STATES.filter((from) => canTransition(from, to));
  for (const from of candidates) assertTransition(from, to);
  return [...candidates];
}

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
