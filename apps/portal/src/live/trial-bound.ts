import { ACTIVE_SESSION_STATES, type SessionView, type TrialView } from '@trialhub/contracts';

/**
 * A session of a trial that has ended is being torn down, whatever its last streamed state:
 * show it as stopping (no "Ready", no Open notebook) until the stream says stopped.
 */
export function asTrialAllows(session: SessionView, trial: TrialView | null | undefined): SessionView {
  const ended = trial && trial.id === session.trialId && trial.state === 'ended';
  if (!ended || !ACTIVE_SESSION_STATES.includes(session.state) || session.state === 'stopping') return session;
  return { ...session, state: 'stopping', notebookUrl: null, queuePosition: null };
}
