import { ACTIVE_SESSION_STATES } from '@trialhub/contracts';
import { useCallback, useEffect, useState } from 'react';
import { messageOf } from '../api/client';
import { api } from '../api/endpoints';
import { Dialog } from '../components/dialog';
import { EmptyState, ErrorBanner, Loading } from '../components/feedback';
import { Button } from '../components/form';
import { ProfilePicker } from '../components/profile-picker';
import { SessionsTable } from '../components/sessions-table';
import { TrialCard } from '../components/trial-card';
import { useResource } from '../hooks/use-resource';
import { useLiveSessions } from '../hooks/use-session-stream';
import { useTrial } from '../hooks/use-trial';
import { asTrialAllows } from '../live/trial-bound';
import { Link, navigate } from '../router';

const WAITLIST_POLL_MS = 10_000;

export function DashboardPage() {
  const trial = useTrial();
  const profiles = useResource(() => api.profiles.list(), []);
  const sessions = useResource(() => api.sessions.list(), []);
  const [profile, setProfile] = useState<string | null>(null);
  const [launching, setLaunching] = useState(false);
  const [launchError, setLaunchError] = useState<string | null>(null);
  const [confirmEnd, setConfirmEnd] = useState(false);

  const offered = profiles.data?.filter((p) => p.offered !== false);
  useEffect(() => {
    if (profile === null && offered?.length) setProfile((offered.find((p) => p.isDefault) ?? offered[0]).name);
  }, [offered, profile]);

  // While waitlisted, look again now and then: admission happens on the server.
  const waitlisted = trial.trial?.state === 'waitlisted';
  useEffect(() => {
    if (!waitlisted) return;
    const timer = setInterval(() => void trial.reload(), WAITLIST_POLL_MS);
    return () => clearInterval(timer);
  }, [waitlisted, trial.reload]);

  // Sessions in flight follow their own event streams (the same ones the session page shows), so rows change the moment they do.
  const listed = useLiveSessions(sessions.data, (s) => ACTIVE_SESSION_STATES.includes(s.state));
  // A trial that ended (here, in another tab, by an admin) ends its sessions: list them again.
  const trialState = trial.trial?.state;
  useEffect(() => {
    if (trialState === 'ended') void sessions.reload();
  }, [trialState, sessions.reload]);

  const onExpired = useCallback(() => {
    void trial.reload();
    void sessions.reload();
  }, [trial.reload, sessions.reload]);

  const launch = async () => {
    setLaunching(true);
    setLaunchError(null);
    try {
      const session = await api.sessions.launch(profile ?? undefined);
      navigate(`/sessions/${session.id}`);
    } catch (e) {
      setLaunchError(messageOf(e));
      setLaunching(false);
    }
  };

  if (trial.error && !trial.trial) return <ErrorBanner message={trial.error}><Button variant="secondary" onClick={() => void trial.reload()}>Try again</Button></ErrorBanner>;
  if (!trial.trial) return <Loading label="Loading your trial…" />;
  const t = trial.trial;
  const shown = listed?.map((s) => asTrialAllows(s, t));
  const live = (shown ?? []).filter((s) => ACTIVE_SESSION_STATES.includes(s.state));
  const allowed = t.sessionsAllowed ?? 1;
  // The server refuses a launch beyond the sessions-per-user limit: say so here instead of offering it.
  const launchBlocked = sessions.data === undefined ? 'Checking your sessions…' : live.length >= allowed ? launchBlockedReason(live.length, allowed) : null;
  const localMode = offered?.some((p) => p.runtime === 'local');

  return (
    <div className="stack">
      <header className="page-head">
        <h1>Dashboard</h1>
        {t.state === 'active' && (
          <Button variant="danger" onClick={() => setConfirmEnd(true)}>
            End trial
          </Button>
        )}
      </header>
      <div className="grid-2">
        <TrialCard trial={t} onExpired={onExpired} />
        <section className="card" aria-labelledby="launch-title">
          <h2 id="launch-title">Launch a notebook</h2>
          {t.state !== 'active' ? (
            <p className="muted">{t.state === 'waitlisted' ? 'You can launch a notebook as soon as your trial starts.' : 'Notebooks can only be launched during a trial.'}</p>
          ) : profiles.error ? (
            <ErrorBanner message={profiles.error} />
          ) : !profiles.data ? (
            <Loading label="Loading machines…" />
          ) : !offered?.length ? (
            <EmptyState title="No machines available">
              <p>No machine types are enabled right now. Please try again later.</p>
            </EmptyState>
          ) : (
            <>
              {localMode && (
                <p className="local-mode" data-testid="local-mode">
                  <strong>Local mode.</strong> Trialhub runs on this computer only: notebooks run here, with this computer's CPU{offered.some((p) => p.gpus > 0) ? ' and GPU' : ' (there is no GPU)'}, not on a GPU cluster.
                </p>
              )}
              <ProfilePicker profiles={offered} value={profile} onChange={setProfile} />
              <ErrorBanner message={launchError} />
              {launchBlocked && (
                <p className="muted" id="launch-blocked">
                  {launchBlocked}
                  {live.length > 0 && <> <Link to={`/sessions/${live[0].id}`}>Open your session</Link>.</>}
                </p>
              )}
              <Button onClick={launch} busy={launching} busyLabel="Launching…" disabled={launchBlocked !== null} aria-describedby={launchBlocked ? 'launch-blocked' : undefined}>
                Launch
              </Button>
            </>
          )}
        </section>
      </div>
      <section className="card" aria-labelledby="sessions-title">
        <h2 id="sessions-title">Your sessions</h2>
        {sessions.error ? (
          <ErrorBanner message={sessions.error} />
        ) : !sessions.data ? (
          <Loading label="Loading sessions…" />
        ) : sessions.data.length === 0 ? (
          <EmptyState title="No sessions yet">
            <p>Launch a notebook to train your first image classifier.</p>
          </EmptyState>
        ) : (
          <SessionsTable sessions={shown ?? sessions.data} profiles={profiles.data ?? []} />
        )}
      </section>
      {confirmEnd && <EndTrialDialog onClose={() => setConfirmEnd(false)} onEnded={(ended) => { trial.set(ended); setConfirmEnd(false); void sessions.reload(); }} />}
    </div>
  );
}

function launchBlockedReason(running: number, allowed: number): string {
  const what = running === 1 ? 'a session running or starting' : `${running} sessions running or starting`;
  return `You can't launch another notebook now: you already have ${what}, and your trial allows ${allowed} at a time. Stop it first.`;
}

function EndTrialDialog({ onClose, onEnded }: { onClose(): void; onEnded(trial: Awaited<ReturnType<typeof api.trial.end>>): void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const end = async () => {
    setBusy(true);
    setError(null);
    try {
      onEnded(await api.trial.end());
    } catch (e) {
      setError(messageOf(e));
      setBusy(false);
    }
  };
  return (
    <Dialog title="End your trial now?" onClose={onClose}>
      <p>Ending the trial stops every running notebook and deletes your workspace files. This cannot be undone.</p>
      <p>
        <strong>Saved results and their share links are kept.</strong>
      </p>
      <ErrorBanner message={error} />
      <div className="actions">
        <Button variant="secondary" onClick={onClose}>
          Keep my trial
        </Button>
        <Button variant="danger" onClick={end} busy={busy} busyLabel="Ending…">
          End trial
        </Button>
      </div>
    </Dialog>
  );
}
