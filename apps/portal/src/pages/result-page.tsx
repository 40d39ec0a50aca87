import { FULL_MODEL_JSON, resultHeadline, runDescription, tryItUnavailable, type ResultView } from '@trialhub/contracts';
import { FormEvent, useState } from 'react';
import { messageOf } from '../api/client';
import { api } from '../api/endpoints';
import { Dialog } from '../components/dialog';
import { ErrorBanner, Loading } from '../components/feedback';
import { Button, Field } from '../components/form';
import { BeforeAfterTable, ConfusionSection, TrainingCurves } from '../components/result-charts';
import { ShareDialog } from '../components/share-dialog';
import { TryIt } from '../components/try-it';
import { formatBytes, formatDate, formatPercent } from '../format';
import { useResource } from '../hooks/use-resource';
import { Link, navigate } from '../router';

export function ResultPage({ resultId }: { resultId: string }) {
  const result = useResource(() => api.results.get(resultId), [resultId]);
  const [dialog, setDialog] = useState<'share' | 'rename' | 'delete' | null>(null);

  if (result.error && !result.data)
    return (
      <div className="stack">
        <ErrorBanner message={result.error} />
        <Link to="/results">Back to results</Link>
      </div>
    );
  if (!result.data) return <Loading label="Loading result…" />;
  const r = result.data;
  const m = r.metrics ?? {};
  const headline = resultHeadline(r.metrics);
  const testN = (n: unknown) => (typeof n === 'number' ? ` (${n} images)` : '');

  return (
    <div className="stack">
      <p className="crumbs">
        <Link to="/results">Results</Link> / {r.title}
      </p>
      <header className="page-head">
        <h1>{r.title || 'Untitled result'}</h1>
        <div className="actions">
          <Button onClick={() => setDialog('share')}>Share</Button>
          <a className="btn btn-secondary" href={api.results.downloadUrl(r.id)} download>
            Download all (.zip)
          </a>
          <Button variant="ghost" onClick={() => setDialog('rename')}>
            Rename
          </Button>
          <Button variant="ghost" onClick={() => setDialog('delete')}>
            Delete
          </Button>
        </div>
      </header>
      <p className="muted">
        Saved {formatDate(r.createdAt)} · {r.expiresAt ? `kept until ${formatDate(r.expiresAt)}` : 'kept without expiry'}
      </p>

      <section aria-labelledby="metrics-title">
        <h2 id="metrics-title" className="visually-hidden">
          Metrics
        </h2>
        <p className="headline" data-testid="headline">
          {headline ? headline.text : 'No test estimate was saved with this result.'}
        </p>
        {runDescription(r.metrics) && <p className="muted">{runDescription(r.metrics)}</p>}
        <dl className="metrics">
          <Metric label={`Test accuracy${testN(m.testCount)}`} value={formatPercent(m.testAccuracy)} />
          <Metric label={`Validation accuracy${testN(m.validationCount)}`} value={formatPercent(m.validationAccuracy)} />
          <Metric label={`Training accuracy${testN(m.trainCount)}`} value={formatPercent(m.trainAccuracy)} />
          <Metric label="Training steps" value={m.steps !== undefined ? String(m.steps) : '—'} />
          <Metric label="Training time" value={typeof m.seconds === 'number' ? `${m.seconds.toFixed(1)} s` : '—'} />
        </dl>
        <p className="muted">
          {m.classes?.length ? `Classes: ${m.classes.join(', ')}. ` : ''}
          {m.mode ? `Mode: ${m.mode === 'seed-compatible' ? 'seed-compatible (gradient descent, 500 steps)' : 'default'}. ` : ''}
          {m.backend ? `Backend: ${m.backend}.` : ''}
        </p>
      </section>

      {tryItUnavailable(r.artifacts.map((a) => a.name), r.metrics) && (
        <section className="card" aria-labelledby="try-title">
          <h2 id="try-title">Try it on your own photo</h2>
          <p className="muted" data-testid="try-it-unavailable">{tryItUnavailable(r.artifacts.map((a) => a.name), r.metrics)}</p>
        </section>
      )}
      {r.artifacts.some((a) => a.name === FULL_MODEL_JSON) && (
        <section className="card" aria-labelledby="try-title">
          <h2 id="try-title">Try it on your own photo</h2>
          <TryIt resultId={r.id} classes={m.classes ?? []} />
          <details>
            <summary>Use this model in your own program</summary>
            <p className="muted">
              Download everything (.zip): its <code>full-model/</code> folder is the whole classifier (backbone and new layer) as one TensorFlow.js model, with its labels and preprocessing in its metadata.
            </p>
            <pre className="snippet" role="region" aria-label="Code to use this model (scrolls sideways)" tabIndex={0}>
              <code>{`import * as tf from '@tensorflow/tfjs';
const model = await tf.loadLayersModel('full-model/model.json');
const { labels, input } = model.getUserDefinedMetadata().trialhub;
// image: a [1, size, size, 3] tensor (size = input.shape[1]) scaled to input.range, e.g. -1..1
const scores = model.predict(image).dataSync();

# or, from a Trialhub checkout:
npm run predict -- --model full-model photo.jpg`}</code>
            </pre>
          </details>
        </section>
      )}

      <section className="card" aria-labelledby="curves-title">
        <h2 id="curves-title">Training curves</h2>
        <TrainingCurves resultId={r.id} artifacts={r.artifacts} />
      </section>
      <section className="card" aria-labelledby="confusion-title">
        <h2 id="confusion-title">Confusion matrix</h2>
        <ConfusionSection resultId={r.id} artifacts={r.artifacts} />
      </section>
      <section className="card" aria-labelledby="ba-title">
        <h2 id="ba-title">Before and after training</h2>
        <BeforeAfterTable resultId={r.id} artifacts={r.artifacts} />
      </section>
      <section className="card" aria-labelledby="files-title">
        <h2 id="files-title">Files</h2>
        {r.artifacts.length === 0 ? (
          <p className="muted">This result has no files.</p>
        ) : (
          <ul className="files">
            {r.artifacts.map((a) => (
              <li key={a.name}>
                <a href={api.results.fileUrl(r.id, a.name)} download={a.name.split('/').pop()}>
                  {a.name}
                </a>
                <span className="muted">{formatBytes(a.size)}</span>
              </li>
            ))}
          </ul>
        )}
      </section>

      {dialog === 'share' && <ShareDialog resultId={r.id} onClose={() => setDialog(null)} />}
      {dialog === 'rename' && <RenameDialog result={r} onClose={() => setDialog(null)} onRenamed={(x) => { result.set(x); setDialog(null); }} />}
      {dialog === 'delete' && <DeleteDialog result={r} onClose={() => setDialog(null)} />}
    </div>
  );
}

function Metric({ label, value, highlight }: { label: string; value: string; highlight?: boolean }) {
  return (
    <div className={`metric${highlight ? ' metric-main' : ''}`}>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}

function RenameDialog({ result, onClose, onRenamed }: { result: ResultView; onClose(): void; onRenamed(r: ResultView): void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const title = String(new FormData(e.currentTarget).get('title')).trim();
    if (!title) return setError('Give the result a title.');
    setBusy(true);
    try {
      onRenamed(await api.results.rename(result.id, title));
    } catch (err) {
      setError(messageOf(err));
      setBusy(false);
    }
  };
  return (
    <Dialog title="Rename result" onClose={onClose}>
      <form onSubmit={submit}>
        <ErrorBanner message={error} />
        <Field label="Title" name="title" defaultValue={result.title} maxLength={200} required />
        <div className="actions">
          <Button variant="secondary" type="button" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" busy={busy} busyLabel="Saving…">
            Save
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

function DeleteDialog({ result, onClose }: { result: ResultView; onClose(): void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const remove = async () => {
    setBusy(true);
    try {
      await api.results.remove(result.id);
      navigate('/results', { replace: true });
    } catch (err) {
      setError(messageOf(err));
      setBusy(false);
    }
  };
  return (
    <Dialog title="Delete this result?" onClose={onClose}>
      <p>
        “{result.title}” and its files are deleted, and its share links stop working. This cannot be undone.
      </p>
      <ErrorBanner message={error} />
      <div className="actions">
        <Button variant="secondary" onClick={onClose}>
          Keep it
        </Button>
        <Button variant="danger" onClick={remove} busy={busy} busyLabel="Deleting…">
          Delete result
        </Button>
      </div>
    </Dialog>
  );
}
