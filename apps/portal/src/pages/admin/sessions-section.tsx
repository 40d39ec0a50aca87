import type { AdminLiveSession } from '@trialhub/contracts';
import { useState } from 'react';
import { api } from '../../api/endpoints';
import { EmptyState, Notice } from '../../components/feedback';
import { Button } from '../../components/form';
import { StateBadge } from '../../components/state-badge';
import { formatDate, formatDuration } from '../../format';
import { useResource } from '../../hooks/use-resource';
import { Link } from '../../router';
import { ConfirmDialog, Loaded, plural, useAutoRefresh } from './admin-ui';

/** Every queued and running session, with Force stop. */
export function SessionsSection() {
  const sessions = useResource(() => api.admin.sessions.list(), []);
  useAutoRefresh(sessions, 10_000);
  const [stopping, setStopping] = useState<AdminLiveSession | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  return (
    <section className="card" aria-labelledby="sessions-title">
      <div className="section-head">
        <h2 id="sessions-title">Live sessions</h2>
        <Button variant="ghost" onClick={() => void sessions.reload()}>
          Refresh
        </Button>
      </div>
      {notice && (
        <Notice tone="success">
          <p>{notice}</p>
        </Notice>
      )}
      <Loaded resource={sessions} label="Loading sessions…">
        {(list) =>
          list.length === 0 ? (
            <EmptyState title="No sessions are running or queued" />
          ) : (
            <div className="table-wrap">
              <table>
                <caption>{plural(list.length, 'session')} running or queued, oldest first</caption>
                <thead>
                  <tr>
                    <th scope="col">Session</th>
                    <th scope="col">Owner</th>
                    <th scope="col">Profile</th>
                    <th scope="col">Node</th>
                    <th scope="col">State</th>
                    <th scope="col">Age</th>
                    <th scope="col">Last activity</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((s) => (
                    <tr key={s.id}>
                      <td>
                        <code title={s.id}>{s.id.slice(0, 8)}</code>
                      </td>
                      <th scope="row">
                        <Link to={`/admin/users/${s.owner.id}`}>{s.owner.email}</Link>
                      </th>
                      <td>{s.profile}</td>
                      <td>{s.node ?? '—'}</td>
                      <td>
                        <StateBadge state={s.state} />
                        {s.reason && <span className="cell-sub">{s.reason}</span>}
                      </td>
                      <td>{formatDuration(s.ageSeconds)}</td>
                      <td>{formatDate(s.lastActivityAt)}</td>
                      <td>
                        {s.state !== 'stopping' && (
                          <Button variant="danger" onClick={() => setStopping(s)} aria-label={`Force stop the session of ${s.owner.email}`}>
                            Force stop
                          </Button>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Loaded>
      {stopping && (
        <ConfirmDialog
          title="Force-stop this session?"
          confirmLabel="Force stop"
          busyLabel="Stopping…"
          onClose={() => setStopping(null)}
          onConfirm={async () => {
            setNotice(null);
            await api.admin.sessions.forceStop(stopping.id);
            setNotice(`The session of ${stopping.owner.email} is stopping.`);
            await sessions.reload();
          }}
        >
          <p>
            The <strong>{stopping.profile}</strong> session of <strong>{stopping.owner.email}</strong> stops now, as if they had stopped it: the trainer's outputs are collected, then the notebook goes away. Their trial continues and they can resume it.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}
