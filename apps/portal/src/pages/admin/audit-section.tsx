import type { AdminAuditEvent, AdminAuditQuery } from '@trialhub/contracts';
import { FormEvent, useEffect, useState } from 'react';
import { messageOf } from '../../api/client';
import { api } from '../../api/endpoints';
import { EmptyState, ErrorBanner } from '../../components/feedback';
import { Button } from '../../components/form';
import { formatDate } from '../../format';
import { useResource } from '../../hooks/use-resource';
import { Link } from '../../router';
import { AdminField, Loaded, plural } from './admin-ui';

/** Actions the control plane records (the filter is a prefix: "trial." matches every trial action). */
const KNOWN_ACTIONS = [
  'user.signup', 'user.password-reset', 'user.logout-everywhere', 'user.suspend', 'user.reinstate', 'user.role', 'user.quota', 'trial.admit', 'trial.extend', 'trial.end',
  'trial.grant', 'trial.teardown', 'session.launch', 'session.stop', 'session.resume', 'session.force-stop', 'session.teardown', 'share.create',
  'share.revoke', 'quotas.update', 'profile.create', 'profile.update',
];

/** The audit log: who did what to whom, newest first, filtered as the API allows. */
export function AuditSection() {
  const [filter, setFilter] = useState<AdminAuditQuery>({ limit: 200 });
  const [formError, setFormError] = useState<string | null>(null);
  const events = useResource(() => api.admin.audit(filter), [filter]);

  const apply = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const text = (name: string) => String(form.get(name) ?? '').trim() || undefined;
    const since = text('since');
    const sinceDate = since ? new Date(since) : null;
    const limit = Number(text('limit') ?? 200);
    if (sinceDate && Number.isNaN(sinceDate.getTime())) return setFormError('Enter a valid date and time for "Since".');
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return setFormError('Show between 1 and 1000 events.');
    setFormError(null);
    setFilter({ action: text('action'), actor: text('actor'), target: text('target'), since: sinceDate?.toISOString(), limit });
  };

  return (
    <section className="card" aria-labelledby="audit-title">
      <h2 id="audit-title">Audit log</h2>
      <p className="muted">Action matches by its start: “trial.” finds every trial action. Actor is an email address or a user id; target is the id of a user, trial, session or profile.</p>
      <form className="filters" onSubmit={apply} onReset={() => (setFormError(null), setFilter({ limit: 200 }))} noValidate aria-label="Filter the audit log">
        <AdminField label="Action" name="action" list="audit-actions" placeholder="e.g. trial. or user.suspend" />
        <datalist id="audit-actions">
          {KNOWN_ACTIONS.map((a) => (
            <option key={a} value={a} />
          ))}
        </datalist>
        <AdminField label="Actor" name="actor" placeholder="Email or user id" />
        <AdminField label="Target id" name="target" placeholder="User, trial or session id" />
        <AdminField label="Since" name="since" type="datetime-local" />
        <AdminField label="Show at most" name="limit" type="number" min={1} max={1000} defaultValue={200} unit="events" />
        <div className="actions">
          <Button type="submit">Filter</Button>
          <Button type="reset" variant="ghost">
            Clear
          </Button>
        </div>
      </form>
      <ErrorBanner message={formError} />
      <Loaded resource={events} label="Loading the audit log…">
        {(list) => (list.length === 0 ? <EmptyState title="No events match these filters" /> : <PagedAudit first={list} filter={filter} />)}
      </Loaded>
    </section>
  );
}

/** The first page, and older ones on request (each asks for events before the last one shown). */
function PagedAudit({ first, filter }: { first: AdminAuditEvent[]; filter: AdminAuditQuery }) {
  const limit = filter.limit ?? 200;
  const [events, setEvents] = useState(first);
  const [more, setMore] = useState(first.length >= limit);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // A new first page (new filters, or a reload) starts the list again.
  useEffect(() => {
    setEvents(first);
    setMore(first.length >= limit);
    setError(null);
  }, [first, limit]);
  const loadOlder = async () => {
    setBusy(true);
    setError(null);
    try {
      const page = await api.admin.audit({ ...filter, before: events.at(-1)!.id });
      setEvents((shown) => [...shown, ...page]);
      setMore(page.length >= limit);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <AuditTable events={events} />
      <ErrorBanner message={error} />
      {more ? (
        <div className="actions">
          <Button variant="ghost" busy={busy} busyLabel="Loading…" onClick={() => void loadOlder()}>
            Show older events
          </Button>
        </div>
      ) : (
        events.length > limit && <p className="muted">That is the oldest event that matches.</p>
      )}
    </>
  );
}

function AuditTable({ events }: { events: AdminAuditEvent[] }) {
  return (
    <div className="table-wrap">
      <table>
        <caption>{plural(events.length, 'event')}, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Actor</th>
            <th scope="col">Action</th>
            <th scope="col">Target</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {events.map((e) => (
            <tr key={e.id}>
              <td className="nowrap">{formatDate(e.at)}</td>
              <td>{e.actor.email ?? (e.actor.id ? <code>{e.actor.id}</code> : <span className="muted">system</span>)}</td>
              <td>
                <code>{e.action}</code>
              </td>
              <td>
                <Target target={e.target} />
              </td>
              <td>
                <Details details={e.details} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Target({ target }: { target: AdminAuditEvent['target'] }) {
  if (!target) return <span className="muted">—</span>;
  const id = target.id ?? '';
  if (target.type === 'user' && id) return <Link to={`/admin/users/${id}`}>user {id.slice(0, 8)}</Link>;
  return (
    <span>
      {target.type} {id.length > 12 ? <code title={id}>{id.slice(0, 8)}</code> : <code>{id}</code>}
    </span>
  );
}

/** Details as "key: value" lines, values shortened; never a JSON dump. */
function Details({ details }: { details: Record<string, unknown> }) {
  const entries = Object.entries(details ?? {});
  if (!entries.length) return <span className="muted">—</span>;
  const show = (v: unknown): string => {
    if (v === null || v === undefined) return '—';
    if (Array.isArray(v)) return v.map(show).join(', ') || '(none)';
    if (typeof v === 'object') return Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k} ${show(x)}`).join('; ');
    return String(v);
  };
  return (
    <dl className="details">
      {entries.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{show(v).slice(0, 200)}</dd>
        </div>
      ))}
    </dl>
  );
}
