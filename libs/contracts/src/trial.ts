export const TRIAL_STATES = ['waitlisted', 'active', 'ended'] as const;
export type TrialState = (typeof TRIAL_STATES)[number];
export const TRIAL_END_REASONS = ['expired', 'user', 'admin'] as const;
export type TrialEndReason = (typeof TRIAL_END_REASONS)[number];

export interface TrialView {
  id: string;
  state: TrialState;
  /** 1-based place in the waitlist, only while waitlisted. */
  position: number | null;
  createdAt: string;
  activatedAt: string | null;
  expiresAt: string | null;
  secondsLeft: number | null;
  endedAt: string | null;
  endReason: TrialEndReason | null;
  /** How many sessions may run or queue at once for this user (the sessions-per-user quota). */
  sessionsAllowed?: number;
}
