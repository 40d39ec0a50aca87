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
import { Link, navigate } from '../router';

const WAITLIST_POLL_MS = 10_000;
const SESSIONS_POLL_MS = 5_000;

export function DashboardPage() {
  const trial = useResource(() => api.trial.get(), []);
  const profiles = useResource(() => api.profiles.list(), []);
  const sessions = useResource(() => api.sessions.list(), []);
  const [profile, setProfile] = useState<string | null>(null);
  const [launching, setLaunching] = useState(false);
  const [launchError, setLaunchError] = useState<string | null>(null);
  const [confirmEnd, setConfirmEnd] = useState(false);

  useEffect(() => {
    if (profile === null && profiles.data?.length) setProfile((profiles.data.find((p) => p.isDefault) ?? profiles.data[0]).name);
  }, [profiles.data, profile]);

  // While waitlisted, look again now and then: admission happens on the server.
  const waitlisted = trial.data?.state === 'waitlisted';
  useEffect(() => {
    if (!waitlisted) return;
    const timer = setInterval(() => void trial.reload(), WAITLIST_POLL_MS);
    return () => clearInterval(timer);
  }, [waitlisted, trial.reload]);

  // Live sessions change state on the server; keep the list current while any is in flight.
  const anyLive = (sessions.data ?? []).some((s) => ACTIVE_SESSION_STATES.includes(s.state));
  useEffect(() => {
    if (!anyLive) return;
    const timer = setInterval(() => void sessions.reload(), SESSIONS_POLL_MS);
    return () => clearInterval(timer);
  }, [anyLive, sessions.reload]);

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

  if (trial.loading && !trial.data) return <Loading label="Loading your trial…" />;
  if (trial.error && !trial.data) return <ErrorBanner message={trial.error}><Button variant="secondary" onClick={() => void trial.reload()}>Try again</Button></ErrorBanner>;
  const t = trial.data!;
  const live = (sessions.data ?? []).filter((s) => ACTIVE_SESSION_STATES.includes(s.state));

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
          ) : profiles.data.length === 0 ? (
            <EmptyState title="No machines available">
              <p>No machine types are enabled right now. Please try again later.</p>
            </EmptyState>
          ) : (
            <>
              <ProfilePicker profiles={profiles.data} value={profile} onChange={setProfile} />
              <ErrorBanner message={launchError} />
              {live.length > 0 && (
                <p className="muted">
                  You already have a running session: <Link to={`/sessions/${live[0].id}`}>open it</Link>.
                </p>
              )}
              <Button onClick={launch} busy={launching} busyLabel="Launching…">
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
          <SessionsTable sessions={sessions.data} />
        )}
      </section>
      {confirmEnd && <EndTrialDialog onClose={() => setConfirmEnd(false)} onEnded={(ended) => { trial.set(ended); setConfirmEnd(false); void sessions.reload(); }} />}
    </div>
  );
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
