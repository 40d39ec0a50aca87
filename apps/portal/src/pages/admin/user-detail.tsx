import type { AdminUserDetail, TrialView } from '@trialhub/contracts';
import { FormEvent, useState } from 'react';
import { messageOf } from '../../api/client';
import { api } from '../../api/endpoints';
import { useAuth } from '../../auth-context';
import { EmptyState, ErrorBanner, Notice } from '../../components/feedback';
import { Button } from '../../components/form';
import { StateBadge } from '../../components/state-badge';
import { formatBytes, formatDate, formatDuration } from '../../format';
import { useResource } from '../../hooks/use-resource';
import { Link } from '../../router';
import { AdminField, AdminTextArea, ConfirmDialog, Loaded } from './admin-ui';
import { TrialStateBadge } from './trial-state-badge';

type Confirm = 'end-trial' | 'suspend' | 'make-admin' | 'remove-admin' | null;

const END_REASONS: Record<string, string> = { expired: 'it reached its end', user: 'the user ended it', admin: 'an admin ended it' };

/** One user: account, trial (extend, end, grant another), sessions, suspension, role, quota overrides. */
export function UserDetail({ userId }: { userId: string }) {
  const detail = useResource(() => api.admin.users.get(userId), [userId]);
  return (
    <div className="stack">
      <p className="crumbs">
        <Link to="/admin/users">← All users</Link>
      </p>
      <Loaded resource={detail} label="Loading the user…">
        {(d) => <UserView detail={d} onChange={detail.set} />}
      </Loaded>
    </div>
  );
}

function UserView({ detail, onChange }: { detail: AdminUserDetail; onChange(d: AdminUserDetail): void }) {
  const { user: me } = useAuth();
  const { user, trials, sessions } = detail;
  const trial = trials[0] ?? null;
  const self = me?.id === user.id;
  const [confirm, setConfirm] = useState<Confirm>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  /** Runs an action that answers the new detail; says what happened. */
  const act = async (key: string, run: () => Promise<AdminUserDetail>, done: string) => {
    setBusy(key);
    setError(null);
    setNotice(null);
    try {
      onChange(await run());
      setNotice(done);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(null);
    }
  };
  /** For confirmation dialogs: errors stay in the dialog. */
  const confirmed = async (run: () => Promise<AdminUserDetail>, done: string) => {
    setNotice(null);
    setError(null);
    onChange(await run());
    setNotice(done);
  };

  const extend = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const hours = Number(new FormData(e.currentTarget).get('hours'));
    if (!Number.isInteger(hours) || hours < 1) {
      setError('Enter the hours to add: a whole number, 1 or more.');
      return;
    }
    void act('extend', () => api.admin.users.extendTrial(user.id, hours), `Trial extended by ${hours} hour${hours === 1 ? '' : 's'}.`);
  };

  return (
    <>
      <header className="page-head">
        <h2 className="h1-like">
          {user.email}
          {user.role === 'admin' && <span className="badge badge-admin">Admin</span>}
          {user.suspended && <span className="badge badge-failed">Suspended</span>}
        </h2>
      </header>
      <ErrorBanner message={error} />
      {notice && (
        <Notice tone="success">
          <p>{notice}</p>
        </Notice>
      )}

      <div className="grid-2">
        <section className="card" aria-labelledby="account-title">
          <h3 id="account-title">Account</h3>
          <dl className="facts">
            <div>
              <dt>Signed up</dt>
              <dd>{formatDate(user.createdAt)}</dd>
            </div>
            <div>
              <dt>Email</dt>
              <dd>{user.verified ? 'Verified' : 'Not verified'}</dd>
            </div>
            <div>
              <dt>Role</dt>
              <dd>{user.role === 'admin' ? 'Admin' : 'User'}</dd>
            </div>
            <div>
              <dt>Status</dt>
              <dd>{user.suspended ? `Suspended${user.suspendedReason ? `: ${user.suspendedReason}` : ''}` : 'Active'}</dd>
            </div>
            <div>
              <dt>User id</dt>
              <dd>
                <code>{user.id}</code>
              </dd>
            </div>
          </dl>
          {self ? (
            <p className="hint">This is your own account: you cannot suspend it or remove your admin role.</p>
          ) : (
            <div className="actions">
              {user.suspended ? (
                <Button variant="secondary" onClick={() => void act('reinstate', () => api.admin.users.reinstate(user.id), `${user.email} is reinstated and can log in again.`)} busy={busy === 'reinstate'} busyLabel="Reinstating…">
                  Reinstate
                </Button>
              ) : (
                <Button variant="danger" onClick={() => setConfirm('suspend')}>
                  Suspend
                </Button>
              )}
              {user.role === 'admin' ? (
                <Button variant="secondary" onClick={() => setConfirm('remove-admin')}>
                  Remove admin role
                </Button>
              ) : (
                <Button variant="secondary" onClick={() => setConfirm('make-admin')}>
                  Make admin
                </Button>
              )}
            </div>
          )}
        </section>

        <section className="card" aria-labelledby="trial-title">
          <h3 id="trial-title">Trial</h3>
          {!trial ? (
            <p>This user has no trial.</p>
          ) : (
            <TrialFacts trial={trial} />
          )}
          {trial?.state === 'active' && (
            <form className="inline-form" onSubmit={extend} noValidate aria-label="Extend the trial">
              <AdminField label="Hours to add" name="hours" type="number" min={1} max={2160} step={1} defaultValue="24" inputMode="numeric" />
              <Button type="submit" variant="secondary" busy={busy === 'extend'} busyLabel="Extending…">
                Extend trial
              </Button>
            </form>
          )}
          <div className="actions">
            {trial && trial.state !== 'ended' && (
              <Button variant="danger" onClick={() => setConfirm('end-trial')}>
                End trial
              </Button>
            )}
            {(!trial || trial.state === 'ended') && (
              <Button onClick={() => void act('grant', () => api.admin.users.grantTrial(user.id), 'A new trial is granted.')} busy={busy === 'grant'} busyLabel="Granting…">
                Grant another trial
              </Button>
            )}
          </div>
          {trials.length > 1 && (
            <details className="earlier">
              <summary>Earlier trials ({trials.length - 1})</summary>
              <ul>
                {trials.slice(1).map((t) => (
                  <li key={t.id}>
                    <TrialStateBadge state={t.state} /> {formatDate(t.activatedAt ?? t.createdAt)} – {formatDate(t.endedAt)}
                    {t.endReason && ` (${END_REASONS[t.endReason] ?? t.endReason})`}
                  </li>
                ))}
              </ul>
            </details>
          )}
        </section>
      </div>

      <section className="card" aria-labelledby="user-sessions-title">
        <h3 id="user-sessions-title">Sessions</h3>
        {sessions.length === 0 ? (
          <EmptyState title="No sessions yet" />
        ) : (
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">Sessions of {user.email}, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Session</th>
                  <th scope="col">Profile</th>
                  <th scope="col">State</th>
                  <th scope="col">Node</th>
                  <th scope="col">Started</th>
                  <th scope="col">Stopped</th>
                </tr>
              </thead>
              <tbody>
                {sessions.map((s) => (
                  <tr key={s.id}>
                    <td>
                      <code title={s.id}>{s.id.slice(0, 8)}</code>
                    </td>
                    <td>{s.profile}</td>
                    <td>
                      <StateBadge state={s.state} />
                      {s.reason && <span className={s.state === 'failed' ? 'cell-note' : 'cell-sub'}>{s.reason}</span>}
                    </td>
                    <td>{s.node ?? '—'}</td>
                    <td>{formatDate(s.createdAt)}</td>
                    <td>{formatDate(s.stoppedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <UserQuotaForm detail={detail} onChange={onChange} />

      {confirm === 'end-trial' && (
        <ConfirmDialog title="End this trial?" confirmLabel="End trial" busyLabel="Ending…" onClose={() => setConfirm(null)} onConfirm={() => confirmed(() => api.admin.users.endTrial(user.id), 'The trial has ended; its sessions are stopping.')}>
          <p>
            The trial of <strong>{user.email}</strong> ends now: every running notebook stops and the workspace is deleted. Saved results and share links are kept.
          </p>
        </ConfirmDialog>
      )}
      {confirm === 'suspend' && (
        <ConfirmDialog
          title="Suspend this user?"
          confirmLabel="Suspend user"
          busyLabel="Suspending…"
          onClose={() => setConfirm(null)}
          onConfirm={(form) => confirmed(() => api.admin.users.suspend(user.id, String(form.get('reason') ?? '').trim() || undefined), `${user.email} is suspended.`)}
        >
          <p>
            <strong>{user.email}</strong> is logged out everywhere, their sessions stop, and they cannot log in until reinstated.
          </p>
          <AdminTextArea label="Reason (optional)" name="reason" rows={2} maxLength={500} hint="Kept in the audit log and shown to other admins." />
        </ConfirmDialog>
      )}
      {confirm === 'make-admin' && (
        <ConfirmDialog title="Make this user an admin?" confirmLabel="Make admin" variant="primary" onClose={() => setConfirm(null)} onConfirm={() => confirmed(() => api.admin.users.setRole(user.id, 'admin'), `${user.email} is now an admin.`)}>
          <p>
            <strong>{user.email}</strong> will be able to change quotas, manage every user and stop any session.
          </p>
        </ConfirmDialog>
      )}
      {confirm === 'remove-admin' && (
        <ConfirmDialog title="Remove the admin role?" confirmLabel="Remove admin role" onClose={() => setConfirm(null)} onConfirm={() => confirmed(() => api.admin.users.setRole(user.id, 'user'), `${user.email} is no longer an admin.`)}>
          <p>
            <strong>{user.email}</strong> keeps their account and trial, but loses access to the admin console.
          </p>
        </ConfirmDialog>
      )}
    </>
  );
}

function TrialFacts({ trial }: { trial: TrialView }) {
  return (
    <dl className="facts">
      <div>
        <dt>State</dt>
        <dd>
          <TrialStateBadge state={trial.state} />
        </dd>
      </div>
      {trial.state === 'waitlisted' && (
        <div>
          <dt>Waitlist position</dt>
          <dd>{trial.position ?? '—'}</dd>
        </div>
      )}
      <div>
        <dt>Started</dt>
        <dd>{formatDate(trial.activatedAt)}</dd>
      </div>
      {trial.state === 'active' && (
        <div>
          <dt>Expires</dt>
          <dd>
            {formatDate(trial.expiresAt)}
            {trial.secondsLeft !== null && <span className="cell-sub">in {formatDuration(trial.secondsLeft)}</span>}
          </dd>
        </div>
      )}
      {trial.state === 'ended' && (
        <div>
          <dt>Ended</dt>
          <dd>
            {formatDate(trial.endedAt)}
            {trial.endReason && <span className="cell-sub">{END_REASONS[trial.endReason] ?? trial.endReason}</span>}
          </dd>
        </div>
      )}
    </dl>
  );
}

/** Per-user overrides of the global quotas; an empty field means "the global value". */
function UserQuotaForm({ detail, onChange }: { detail: AdminUserDetail; onChange(d: AdminUserDetail): void }) {
  const q = detail.quota;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const num = (name: string) => {
      const raw = String(form.get(name) ?? '').trim();
      return raw === '' ? null : Number(raw);
    };
    const sessions = num('sessionsPerUser');
    const storageGib = num('storageGib');
    const profiles = String(form.get('allowedProfiles') ?? '').split(/[\s,]+/).filter(Boolean);
    if ((sessions !== null && !Number.isFinite(sessions)) || (storageGib !== null && !Number.isFinite(storageGib))) {
      setError('Enter numbers, or leave a field empty to use the global quota.');
      return;
    }
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      onChange(
        await api.admin.users.setQuota(detail.user.id, {
          sessionsPerUser: sessions,
          storageBytes: storageGib === null ? null : Math.round(storageGib * 1024 ** 3),
          allowedProfiles: profiles.length ? profiles : null,
        }),
      );
      setSaved(true);
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card" aria-labelledby="user-quota-title">
      <h3 id="user-quota-title">Quota overrides</h3>
      <p className="muted">Leave a field empty to use the global quota.</p>
      <form onSubmit={submit} noValidate aria-label="Quota overrides">
        <ErrorBanner message={error} />
        {saved && (
          <Notice tone="success">
            <p>The overrides are saved.</p>
          </Notice>
        )}
        <div className="form-grid">
          <AdminField label="Sessions at once" unit="sessions" name="sessionsPerUser" type="number" min={0} step={1} defaultValue={q?.sessionsPerUser ?? ''} placeholder="Global quota" />
          <AdminField
            label="Storage"
            unit="GiB"
            name="storageGib"
            type="number"
            min={0}
            step="any"
            defaultValue={q?.storageBytes == null ? '' : Number((q.storageBytes / 1024 ** 3).toFixed(3))}
            placeholder="Global quota"
            hint={q?.storageBytes != null ? formatBytes(q.storageBytes) : undefined}
          />
          <AdminField label="Allowed profiles" name="allowedProfiles" type="text" defaultValue={q?.allowedProfiles?.join(', ') ?? ''} placeholder="All enabled profiles" hint="Profile names, separated by commas." />
        </div>
        <div className="actions">
          <Button type="submit" variant="secondary" busy={busy} busyLabel="Saving…">
            Save overrides
          </Button>
        </div>
      </form>
    </section>
  );
}
