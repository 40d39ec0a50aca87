import type { AdminAdmitRequest, AdminWaitlistEntry } from '@trialhub/contracts';
import { FormEvent, useState } from 'react';
import { messageOf } from '../../api/client';
import { api } from '../../api/endpoints';
import { EmptyState, ErrorBanner, Notice } from '../../components/feedback';
import { Button } from '../../components/form';
import { formatDate, formatDuration } from '../../format';
import { useNow } from '../../hooks/use-now';
import { useResource } from '../../hooks/use-resource';
import { Link } from '../../router';
import { AdminField, Loaded, plural } from './admin-ui';

/** The waitlist, first come first served: admit one person, or the next N. */
export function WaitlistSection() {
  const waitlist = useResource(() => api.admin.waitlist.list(), []);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [count, setCount] = useState('1');

  const admit = async (request: AdminAdmitRequest, key: string) => {
    setBusy(key);
    setError(null);
    setNotice(null);
    try {
      const { admitted } = await api.admin.waitlist.admit(request);
      setNotice(admitted.length ? `Admitted ${plural(admitted.length, 'person', 'people')}: their trial has started.` : 'Nobody was admitted: the waitlist is empty.');
      await waitlist.reload();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(null);
    }
  };

  const admitNext = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const n = Number(count);
    if (!Number.isInteger(n) || n < 1) {
      setError('Enter how many people to admit: a whole number, 1 or more.');
      return;
    }
    void admit({ count: n }, 'next');
  };

  return (
    <section className="card" aria-labelledby="waitlist-title">
      <div className="section-head">
        <h2 id="waitlist-title">Waitlist</h2>
        <Button variant="ghost" onClick={() => void waitlist.reload()}>
          Refresh
        </Button>
      </div>
      <p className="muted">When the maximum number of active trials is reached, new sign-ups wait here in order. Admitting someone starts their trial now, even above that maximum.</p>
      <ErrorBanner message={error} />
      {notice && (
        <Notice tone="success">
          <p>{notice}</p>
        </Notice>
      )}
      <Loaded resource={waitlist} label="Loading the waitlist…">
        {(list) =>
          list.length === 0 ? (
            <EmptyState title="Nobody is waiting">
              <p>
                Every sign-up has a trial. Set a maximum number of active trials under <Link to="/admin">Quotas</Link> to make new sign-ups wait.
              </p>
            </EmptyState>
          ) : (
            <>
              <form className="inline-form" onSubmit={admitNext} noValidate aria-label="Admit the next people in line">
                <AdminField label="How many to admit" name="count" type="number" min={1} max={list.length} step={1} inputMode="numeric" value={count} onChange={(e) => setCount(e.target.value)} />
                <Button type="submit" busy={busy === 'next'} busyLabel="Admitting…" disabled={busy !== null}>
                  Admit next {Number(count) >= 1 ? Number(count) : 'N'}
                </Button>
              </form>
              <WaitlistTable list={list} busy={busy} onAdmit={(entry) => void admit({ trialId: entry.trialId }, entry.trialId)} />
            </>
          )
        }
      </Loaded>
    </section>
  );
}

function WaitlistTable({ list, busy, onAdmit }: { list: AdminWaitlistEntry[]; busy: string | null; onAdmit(entry: AdminWaitlistEntry): void }) {
  const now = useNow(30_000);
  return (
    <div className="table-wrap">
      <table>
        <caption>{plural(list.length, 'person', 'people')} waiting, first in line first</caption>
        <thead>
          <tr>
            <th scope="col">Position</th>
            <th scope="col">Email</th>
            <th scope="col">Waiting since</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {list.map((w) => (
            <tr key={w.trialId}>
              <td>{w.position}</td>
              <th scope="row">
                <Link to={`/admin/users/${w.userId}`}>{w.email}</Link>
              </th>
              <td>
                {formatDate(w.waitingSince)}
                <span className="cell-sub">for {formatDuration((now - Date.parse(w.waitingSince)) / 1000)}</span>
              </td>
              <td>
                <Button variant="secondary" onClick={() => onAdmit(w)} busy={busy === w.trialId} busyLabel="Admitting…" disabled={busy !== null} aria-label={`Admit ${w.email}`}>
                  Admit
                </Button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
