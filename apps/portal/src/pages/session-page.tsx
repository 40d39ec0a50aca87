import { useState } from 'react';
import { messageOf } from '../api/client';
import { api } from '../api/endpoints';
import { ErrorBanner, Loading, Notice } from '../components/feedback';
import { Button } from '../components/form';
import { SessionProgress } from '../components/session-progress';
import { StateBadge } from '../components/state-badge';
import { formatDate, formatTime } from '../format';
import { useSessionStream } from '../hooks/use-session-stream';
import { Link } from '../router';

const STOPPABLE = ['queued', 'provisioning', 'starting', 'waiting', 'ready'];
const RESUMABLE = ['stopped', 'failed'];

/** One session, live: its progress and history as they stream, and what can be done with it. */
export function SessionPage({ sessionId }: { sessionId: string }) {
  const { session, error, status, setSession } = useSessionStream(sessionId);
  const [busy, setBusy] = useState<'stop' | 'resume' | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);

  const act = async (kind: 'stop' | 'resume') => {
    setBusy(kind);
    setActionError(null);
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
          {session.state === 'stopped' && <p>This session is stopped. Your workspace files are kept until the trial ends.</p>}
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
            <Button variant="secondary" onClick={() => act('stop')} busy={busy === 'stop'} busyLabel="Stopping…">
              Stop
            </Button>
          )}
          {RESUMABLE.includes(session.state) && (
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
            <dd>{session.profile}</dd>
          </div>
          {session.stopsAt && (
            <div>
              <dt>Stops automatically</dt>
              <dd>{formatDate(session.stopsAt)}</dd>
            </div>
          )}
          {session.trialExpiresAt && (
            <div>
              <dt>Trial ends</dt>
              <dd>{formatDate(session.trialExpiresAt)}</dd>
            </div>
          )}
        </dl>
      </section>

      <section className="card" aria-labelledby="events-title">
        <h2 id="events-title">What happened</h2>
        {session.events.length === 0 ? (
          <p className="muted">No events yet.</p>
        ) : (
          // The live region wraps the list, so the list keeps its list semantics for screen readers.
          <div role="log" aria-live="polite" aria-relevant="additions" aria-labelledby="events-title">
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
