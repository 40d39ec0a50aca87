import type { SessionState } from '@trialhub/contracts';
import type { RuntimeObservation } from '../runtime/session-runtime';

/** What the reconciler should do with a session, given its recorded state and what the runtime reports. */
export type ObservationDecision =
  | { kind: 'none' }
  | { kind: 'ready'; observation: RuntimeObservation }
  | { kind: 'fail'; reasonCode: string; message: string }
  | { kind: 'unschedulable'; message: string }
  | { kind: 'scheduled' }
  | { kind: 'lost' };

/** Pure: maps an observation onto the session state machine. */
export function decide(state: SessionState, obs: RuntimeObservation | undefined, msSinceStart: number, lostAfterMs: number): ObservationDecision {
  const live = state === 'provisioning' || state === 'starting' || state === 'ready' || state === 'queued';
  if (!live) return { kind: 'none' };
  if (!obs || obs.phase === 'gone') {
    if (state === 'ready') return { kind: 'lost' };
    if (state === 'starting' && msSinceStart > lostAfterMs) return { kind: 'lost' };
    return { kind: 'none' };
  }
  switch (obs.phase) {
    case 'failed':
      return { kind: 'fail', reasonCode: obs.reason ?? 'Failed', message: obs.message ?? 'The notebook stopped with an error.' };
    case 'ready':
      return state === 'ready' ? { kind: 'none' } : { kind: 'ready', observation: obs };
    case 'pending':
      if (obs.reason === 'Unschedulable' && state === 'starting') return { kind: 'unschedulable', message: obs.message ?? 'No node can take the notebook right now.' };
      return { kind: 'none' };
    case 'starting':
      return state === 'queued' ? { kind: 'scheduled' } : { kind: 'none' };
  }
}
