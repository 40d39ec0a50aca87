import type { TrialState } from '@trialhub/contracts';

const TRIAL: Record<TrialState, { label: string; tone: string }> = {
  waitlisted: { label: 'Waitlisted', tone: 'queued' },
  active: { label: 'Active', tone: 'ready' },
  ended: { label: 'Ended', tone: 'stopped' },
};

export function TrialStateBadge({ state }: { state: TrialState }) {
  const t = TRIAL[state] ?? { label: state, tone: 'stopped' };
  return <span className={`badge badge-${t.tone}`}>{t.label}</span>;
}
