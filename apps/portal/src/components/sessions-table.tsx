import type { ProfileView, SessionView } from '@trialhub/contracts';
import { machineName } from '../format-machine';
import { formatDate } from '../format';
import { Link } from '../router';
import { StateBadge } from './state-badge';

export function SessionsTable({ sessions, profiles }: { sessions: SessionView[]; profiles?: ProfileView[] }) {
  return (
    <div className="table-wrap">
      <table>
        <caption className="visually-hidden">Your sessions</caption>
        <thead>
          <tr>
            <th scope="col">Session</th>
            <th scope="col">Machine</th>
            <th scope="col">State</th>
            <th scope="col">Started</th>
          </tr>
        </thead>
        <tbody>
          {sessions.map((s) => (
            <tr key={s.id}>
              <td>
                <Link to={`/sessions/${s.id}`}>Session {s.id.slice(0, 8)}</Link>
              </td>
              <td>{machineName(s.profile, profiles)}</td>
              <td>
                <StateBadge state={s.state} />
                {s.state === 'failed' && s.reason && <span className="cell-note">{s.reason}</span>}
              </td>
              <td>{formatDate(s.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
