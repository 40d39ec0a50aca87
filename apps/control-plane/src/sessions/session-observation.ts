import type { SessionState } from '@trialhub/contracts';
import type { RuntimeObservation } from '../runtime/session-runtime';

/** What the reconciler should do with a session, given its recorded state and what the runtime reports. */
export type ObservationDecision =
  | { kind: 'none' }
  | { kind: 'ready'; observation: RuntimeObservation }
  | { kind: 'fail'; reasonCode: string; message: string }
  /** starting → waiting: no node has room for the pod (the scheduler's Unschedulable). */
  | { kind: 'wait'; message: string }
  /** waiting → starting: a node took the pod (a GPU freed up). */
  | { kind: 'scheduled' }
  | { kind: 'lost' };

const OBSERVED: readonly SessionState[] = ['starting', 'waiting', 'ready'];

/**
 * Pure: maps an observation onto the session state machine. Only the runtime's typed
 * `reason` is read (`Unschedulable`), never the scheduler's sentence.
 */
export function decide(state: SessionState, obs: RuntimeObservation | undefined, msSinceStart: number, lostAfterMs: number): ObservationDecision {
  if (!OBSERVED.includes(state)) return { kind: 'none' };
  if (!obs || obs.phase === 'gone') {
    if (state === 'ready') return { kind: 'lost' };
    return msSinceStart > lostAfterMs ? { kind: 'lost' } : { kind: 'none' };
  }
  switch (obs.phase) {
    case 'failed':
      return { kind: 'fail', reasonCode: obs.reason ?? 'Failed', message: obs.message ?? 'The notebook stopped with an error.' };
    case 'ready':
      if (state === 'ready') return { kind: 'none' };
      return state === 'waiting' ? { kind: 'scheduled' } : { kind: 'ready', observation: obs };
    case 'pending':
      if (obs.reason === 'Unschedulable' && state === 'starting') return { kind: 'wait', message: obs.message ?? 'No node can take the notebook right now.' };
      return { kind: 'none' };
    case 'starting':
      return state === 'waiting' ? { kind: 'scheduled' } : { kind: 'none' };
  }
}
