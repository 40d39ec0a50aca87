import type { TrialView } from '@trialhub/contracts';
import { useEffect, useMemo, useRef } from 'react';
import { formatClock, formatDate } from '../format';
import { useNow } from '../hooks/use-now';

const END_REASONS: Record<string, string> = {
  expired: 'It reached the end of its 24 hours.',
  user: 'You ended it.',
  admin: 'An administrator ended it.',
};

/** The trial's state: a ticking countdown while active, the waitlist position while waiting. */
export function TrialCard({ trial, onExpired }: { trial: TrialView; onExpired(): void }) {
  const now = useNow(1000);
  // Count down from the server's secondsLeft (not from expiresAt), so a wrong local clock does not matter.
  const deadline = useMemo(() => (trial.secondsLeft !== null ? Date.now() + trial.secondsLeft * 1000 : null), [trial]);
  const left = deadline !== null ? Math.max(0, Math.round((deadline - now) / 1000)) : null;
  const fired = useRef(false);
  useEffect(() => {
    if (left === 0 && !fired.current) {
      fired.current = true;
      onExpired();
    }
  }, [left, onExpired]);

  if (trial.state === 'waitlisted') {
    return (
      <section className="card trial trial-waitlisted" aria-labelledby="trial-title">
        <h2 id="trial-title">You are on the waitlist</h2>
        <p className="big" aria-live="polite">
          Position <strong data-testid="waitlist-position">{trial.position ?? '—'}</strong>
        </p>
        <p>All GPU trial places are taken right now. Your 24 hours start when a place frees up; this page updates by itself and we will email you.</p>
      </section>
    );
  }
  if (trial.state === 'ended') {
    return (
      <section className="card trial trial-ended" aria-labelledby="trial-title">
        <h2 id="trial-title">Your trial has ended</h2>
        <p>
          {END_REASONS[trial.endReason ?? ''] ?? ''} Ended {formatDate(trial.endedAt)}.
        </p>
        <p>Your notebook environment has been removed. Your saved results and share links are still available.</p>
      </section>
    );
  }
  const urgent = left !== null && left < 3600;
  return (
    <section className={`card trial trial-active${urgent ? ' trial-urgent' : ''}`} aria-labelledby="trial-title">
      <h2 id="trial-title">Trial time left</h2>
      {/* The ticking clock is hidden from screen readers (it would be read every second); the label gives the end time. */}
      <p className="countdown" aria-hidden="true" data-testid="countdown">
        {left !== null ? formatClock(left) : '—'}
      </p>
      <p className="muted">Ends {formatDate(trial.expiresAt)}. Then the environment is torn down; saved results stay.</p>
      <span className="visually-hidden">Your trial ends {formatDate(trial.expiresAt)}.</span>
    </section>
  );
}
