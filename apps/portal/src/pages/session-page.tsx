import { useState } from 'react';
import { messageOf } from '../api/client';
import { api } from '../api/endpoints';
import { ErrorBanner, Loading, Notice } from '../components/feedback';
import { Button } from '../components/form';
import { SessionProgress } from '../components/session-progress';
import { StateBadge } from '../components/state-badge';
import { formatDate, formatTime } from '../format';
import { Dialog } from '../components/dialog';
import { OwnPhotos } from '../components/own-photos';
import { machineName } from '../format-machine';
import { useResource } from '../hooks/use-resource';
import { useSessionStream } from '../hooks/use-session-stream';
import { useTrial } from '../hooks/use-trial';
import { asTrialAllows } from '../live/trial-bound';
import { Link } from '../router';

const STOPPABLE = ['queued', 'provisioning', 'starting', 'waiting', 'ready'];
const RESUMABLE = ['stopped', 'failed'];

/** One session, live: its progress and history as they stream, and what can be done with it. */
export function SessionPage({ sessionId }: { sessionId: string }) {
  const { session: streamed, error, status, setSession } = useSessionStream(sessionId);
  const [busy, setBusy] = useState<'stop' | 'resume' | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [confirmStop, setConfirmStop] = useState(false);
  const { trial } = useTrial();
  const profiles = useResource(() => api.profiles.list(), []);
  const session = streamed ? asTrialAllows(streamed, trial) : null;

  const act = async (kind: 'stop' | 'resume') => {
    setBusy(kind);
    setActionError(null);
    setConfirmStop(false);
    try {
      setSession(await (kind === 'stop' ? api.sessions.stop(sessionId) : api.sessions.resume(sessionId)));
    } catch (e) {
      setActionError(messageOf(e));
    } finally {
      setBusy(null);
    }
  };

  if (!session) {
    return error ? (
      <div className="stack">
        <ErrorBanner message={error} />
        <Link to="/">Back to the dashboard</Link>
      </div>
    ) : (
      <Loading label="Loading session…" />
    );
  }

  // The server resumes only within the session's own trial while it lasts: offer nothing it would refuse.
  const trialOver = !trial || trial.id !== session.trialId || trial.state !== 'active' || trial.secondsLeft === 0;
  const canResume = RESUMABLE.includes(session.state) && !trialOver;

  return (
    <div className="stack">
      <p className="crumbs">
        <Link to="/">Dashboard</Link> / Session {session.id.slice(0, 8)}
      </p>
      <header className="page-head">
        <h1>
          Notebook session <StateBadge state={session.state} />
        </h1>
        <span className={`live-dot live-${status}`}>{status === 'live' ? 'Live' : status === 'polling' ? 'Updating' : 'Reconnecting…'}</span>
      </header>

      <section className="card" aria-labelledby="progress-title">
        <h2 id="progress-title" className="visually-hidden">
          Progress
        </h2>
        <SessionProgress session={session} />
        {/* The state line is the one announcement per change; the event log below is polite too. */}
        <div aria-live="polite" className="state-line">
          {session.state === 'queued' && (
            <p>
              Waiting for a free machine{session.queuePosition ? <> — you are <strong>number {session.queuePosition}</strong> in the queue</> : null}.
              {session.reason && <span className="muted"> ({session.reason.replace(/; you are \S+ in the queue$/, '')}.)</span>}
            </p>
          )}
          {(session.state === 'provisioning' || session.state === 'starting') && <p>Setting up your notebook. This usually takes under a minute.</p>}
          {session.state === 'ready' && <p>Your notebook is ready.</p>}
          {session.state === 'stopping' && <p>Stopping: saving your outputs and shutting the machine down.</p>}
          {session.state === 'stopped' && !trialOver && <p>This session is stopped. Your workspace files are kept until the trial ends.</p>}
          {RESUMABLE.includes(session.state) && trial && trialOver && (
            <p>
              {trial.id === session.trialId && trial.state === 'ended'
                ? 'Your trial has ended, so this session cannot be resumed and its workspace files have been deleted.'
                : 'This session belongs to a trial that has ended, so it cannot be resumed.'}{' '}
              Your saved results are kept under <Link to="/results">Results</Link>.
            </p>
          )}
        </div>
        {session.state === 'failed' && (
          <div className="banner banner-error" role="alert">
            <p>
              <strong>The session failed.</strong> {session.reason ?? 'No reason was given.'}
            </p>
          </div>
        )}
        {session.mode === 'headless' && session.state === 'ready' && (
          <Notice tone="warning">
            <p>Jupyter is not available on this machine, so the trainer runs on its own. Its results will appear under Results.</p>
          </Notice>
        )}
        <ErrorBanner message={actionError} />
        <div className="actions">
          {session.notebookUrl && (
            // The notebook opens on its own origin (a one-time hand-off from this link); the portal stays open in this tab.
            <a className="btn btn-primary" href={session.notebookUrl} target="_blank" rel="noopener">
              Open notebook
            </a>
          )}
          {STOPPABLE.includes(session.state) && (
            <Button variant="secondary" onClick={() => setConfirmStop(true)} busy={busy === 'stop'} busyLabel="Stopping…">
              Stop
            </Button>
          )}
          {canResume && (
            <Button onClick={() => act('resume')} busy={busy === 'resume'} busyLabel="Resuming…">
              Resume
            </Button>
          )}
          {RESUMABLE.includes(session.state) && (
            <Link className="btn btn-ghost" to="/results">
              See results
            </Link>
          )}
        </div>
        <dl className="facts">
          <div>
            <dt>Machine</dt>
            <dd>{machineName(session.profile, profiles.data)}</dd>
          </div>
          {session.stopsAt && (
            <div>
              <dt>Stops automatically</dt>
              <dd>{formatDate(session.stopsAt)}</dd>
            </div>
          )}
          {session.trialExpiresAt && !trialOver && (
            <div>
              <dt>Trial ends</dt>
              <dd>{formatDate(session.trialExpiresAt)}</dd>
            </div>
          )}
        </dl>
      </section>

      {session.state === 'ready' && session.mode === 'jupyter' && (
        <section className="card" aria-labelledby="own-photos-title">
          <h2 id="own-photos-title">Your own photos</h2>
          <OwnPhotos sessionId={session.id} />
        </section>
      )}

      {confirmStop && (
        <Dialog title="Stop this session?" onClose={() => setConfirmStop(false)}>
          <p>Stopping shuts the notebook down. Anything not saved in a file is lost: running cells and kernel memory.</p>
          <p>
            <strong>What is kept:</strong> trained runs in <code>results/</code> are saved as results when the session stops, and your workspace
            files stay until the trial ends, so you can resume.
          </p>
          <div className="actions">
            <Button variant="secondary" onClick={() => setConfirmStop(false)}>
              Keep it running
            </Button>
            <Button variant="danger" onClick={() => act('stop')} busy={busy === 'stop'} busyLabel="Stopping…">
              Stop session
            </Button>
          </div>
        </Dialog>
      )}

      <section className="card" aria-labelledby="events-title">
        <h2 id="events-title">What happened</h2>
        {session.events.length === 0 ? (
          <p className="muted">No events yet.</p>
        ) : (
          // The live region wraps the list, so the list keeps its list semantics for screen readers.
          <div role="log" aria-live="polite" aria-relevant="additions" aria-labelledby="events-title" className="events-scroll" tabIndex={0}>
            <ol className="events">
              {session.events.map((e, i) => (
                <li key={`${e.at}-${i}`} className={e.to === 'failed' ? 'event-failed' : undefined}>
                  <time dateTime={e.at}>{formatTime(e.at)}</time>
                  <span>{e.message}</span>
                </li>
              ))}
            </ol>
          </div>
        )}
      </section>
    </div>
  );
}
