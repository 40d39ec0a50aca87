import type { SessionState } from '@trialhub/contracts';

const LABELS: Record<SessionState, string> = {
  queued: 'Queued',
  provisioning: 'Provisioning',
  starting: 'Starting',
  waiting: 'Waiting for a GPU',
  ready: 'Ready',
  stopping: 'Stopping',
  stopped: 'Stopped',
  failed: 'Failed',
};

export const stateLabel = (state: SessionState) => LABELS[state] ?? state;

export function StateBadge({ state }: { state: SessionState }) {
  return <span className={`badge badge-${state}`}>{stateLabel(state)}</span>;
}
