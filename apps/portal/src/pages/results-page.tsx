import { resultHeadline } from '@trialhub/contracts';
import { api } from '../api/endpoints';
import { EmptyState, ErrorBanner, Loading } from '../components/feedback';
import { formatDate } from '../format';
import { useResource } from '../hooks/use-resource';
import { Link } from '../router';

export function ResultsPage() {
  const results = useResource(() => api.results.list(), []);
  return (
    <div className="stack">
      <header className="page-head">
        <h1>Results</h1>
      </header>
      <p className="muted">Results are saved from your notebook sessions. They stay after your trial ends, until they expire.</p>
      {results.error ? (
        <ErrorBanner message={results.error} />
      ) : !results.data ? (
        <Loading label="Loading results…" />
      ) : results.data.length === 0 ? (
        <EmptyState title="No saved results yet">
          <p>
            Train a model in a notebook and save it: run the example notebook to the end, or stop your session, and the trainer's outputs appear here.{' '}
            <Link to="/">Go to the dashboard</Link>
          </p>
        </EmptyState>
      ) : (
        <div className="table-wrap card">
          <table>
            <caption className="visually-hidden">Your saved results</caption>
            <thead>
              <tr>
                <th scope="col">Title</th>
                <th scope="col">Accuracy</th>
                <th scope="col">Saved</th>
                <th scope="col">Kept until</th>
              </tr>
            </thead>
            <tbody>
              {results.data.map((r) => (
                <tr key={r.id}>
                  <td>
                    <Link to={`/results/${r.id}`}>{r.title || 'Untitled result'}</Link>
                  </td>
                  <td>{resultHeadline(r.metrics)?.short ?? '—'}</td>
                  <td>{formatDate(r.createdAt)}</td>
                  <td>{r.expiresAt ? formatDate(r.expiresAt) : 'No expiry'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
