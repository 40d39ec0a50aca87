import { Link } from '../router';

export function NotFoundPage() {
  return (
    <div className="stack narrow">
      <h1>Page not found</h1>
      <p>There is nothing at this address.</p>
      <p>
        <Link to="/">Go to the dashboard</Link>
      </p>
    </div>
  );
}
