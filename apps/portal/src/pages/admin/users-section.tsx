import type { AdminUserSummary } from '@trialhub/contracts';
import { FormEvent } from 'react';
import { api } from '../../api/endpoints';
import { EmptyState } from '../../components/feedback';
import { Button } from '../../components/form';
import { formatDate } from '../../format';
import { useResource } from '../../hooks/use-resource';
import { Link, navigate, useLocation } from '../../router';
import { Loaded } from './admin-ui';
import { TrialStateBadge } from './trial-state-badge';

const LIMIT = 100;

/** Users: search by email (or exact id), newest first; each links to its detail page. */
export function UsersSection() {
  const { query } = useLocation();
  const q = query.get('q') ?? '';
  const users = useResource(() => api.admin.users.search(q, LIMIT), [q]);

  const search = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const next = String(new FormData(e.currentTarget).get('q') ?? '').trim();
    navigate(next ? `/admin/users?q=${encodeURIComponent(next)}` : '/admin/users');
  };

  return (
    <section className="card" aria-labelledby="users-title">
      <h2 id="users-title">Users</h2>
      <form className="inline-form" role="search" onSubmit={search} aria-label="User search">
        <div className="field grow">
          <label htmlFor="user-search">Search users</label>
          <input id="user-search" name="q" type="search" defaultValue={q} key={q} placeholder="Email, part of it, or a user id" autoComplete="off" />
        </div>
        <Button type="submit">Search</Button>
        {q && (
          <Link to="/admin/users" className="btn btn-ghost">
            Show all
          </Link>
        )}
      </form>
      <Loaded resource={users} label="Searching users…">
        {(list) =>
          list.length === 0 ? (
            <EmptyState title={q ? `No users match “${q}”` : 'No users yet'}>{q && <p>Search by part of an email address, or by a user's exact id.</p>}</EmptyState>
          ) : (
            <UsersTable users={list} q={q} />
          )
        }
      </Loaded>
    </section>
  );
}

function UsersTable({ users, q }: { users: AdminUserSummary[]; q: string }) {
  return (
    <div className="table-wrap">
      <table>
        <caption>
          {q ? `Users matching “${q}”` : 'Newest users'}
          {users.length === LIMIT ? ` (the first ${LIMIT}; search to narrow)` : ` (${users.length})`}
        </caption>
        <thead>
          <tr>
            <th scope="col">Email</th>
            <th scope="col">Role</th>
            <th scope="col">Account</th>
            <th scope="col">Trial</th>
            <th scope="col">Trial ends</th>
            <th scope="col">Signed up</th>
          </tr>
        </thead>
        <tbody>
          {users.map((u) => (
            <tr key={u.id}>
              <th scope="row">
                <Link to={`/admin/users/${u.id}`}>{u.email}</Link>
              </th>
              <td>{u.role === 'admin' ? <span className="badge badge-admin">Admin</span> : 'User'}</td>
              <td>
                {u.suspended ? <span className="badge badge-failed">Suspended</span> : <span className="badge badge-ready">Active</span>}
                {!u.verified && <span className="cell-sub">Email not verified</span>}
              </td>
              <td>{u.trial ? <TrialStateBadge state={u.trial.state} /> : <span className="muted">No trial</span>}</td>
              <td>{u.trial?.state === 'active' ? formatDate(u.trial.expiresAt) : '—'}</td>
              <td>{formatDate(u.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
