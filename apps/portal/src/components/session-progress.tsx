import type { SessionState, SessionView } from '@trialhub/contracts';

const STEPS: Array<{ state: SessionState; label: string; detail: string }> = [
  { state: 'queued', label: 'Queued', detail: 'Waiting for a free machine' },
  { state: 'provisioning', label: 'Provisioning', detail: 'Preparing your workspace and machine' },
  { state: 'starting', label: 'Starting', detail: 'Booting Jupyter' },
  { state: 'ready', label: 'Ready', detail: 'Your notebook is running' },
];

/** The furthest step the session reached, from its history (so a failure shows where it happened). */
function reachedIndex(session: SessionView): number {
  const direct = STEPS.findIndex((s) => s.state === session.state);
  if (direct >= 0) return direct;
  let furthest = -1;
  for (const e of session.events) {
    const i = STEPS.findIndex((s) => s.state === e.to);
    if (i > furthest) furthest = i;
  }
  return furthest;
}

/** The launch steps as an ordered list; the current one is marked for screen readers too. */
export function SessionProgress({ session }: { session: SessionView }) {
  const current = reachedIndex(session);
  const failed = session.state === 'failed';
  const over = session.state === 'stopping' || session.state === 'stopped';
  return (
    <ol className="steps" aria-label="Launch progress">
      {STEPS.map((step, i) => {
        const status = i < current || (i === current && step.state === 'ready' && !over) ? 'done' : i === current ? (failed ? 'failed' : over ? 'done' : 'current') : 'todo';
        return (
          <li key={step.state} className={`step step-${status}`} aria-current={status === 'current' ? 'step' : undefined}>
            <span className="step-dot" aria-hidden="true">
              {status === 'done' ? '✓' : status === 'failed' ? '!' : i + 1}
            </span>
            <span className="step-text">
              <span className="step-label">{step.label}</span>
              <span className="step-detail">{status === 'failed' ? 'Failed here' : step.detail}</span>
            </span>
            <span className="visually-hidden">{status === 'done' ? '(done)' : status === 'current' ? '(in progress)' : status === 'failed' ? '(failed)' : ''}</span>
          </li>
        );
      })}
    </ol>
  );
}
