import { useAuth } from '../../auth-context';
import { Link } from '../../router';

/** What a logged-in non-admin sees at /admin…: a plain statement, not an error or a blank page. */
export function AdminsOnlyPage() {
  const { user } = useAuth();
  return (
    <div className="stack narrow">
      <h1>Admins only</h1>
      <p>
        The admin console is for Trialhub administrators. Your account{user ? ` (${user.email})` : ''} does not have the admin role.
      </p>
      <p>If you need access, ask an administrator to make you one.</p>
      <p>
        <Link to="/">Go to the dashboard</Link>
      </p>
    </div>
  );
}
