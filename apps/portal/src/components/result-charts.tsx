import { readBeforeAfter, readConfusion, readHistory, type ArtifactView, type BeforeAfterRow, type ConfusionMatrixData, type HistoryPoint } from '@trialhub/contracts';
import { useEffect, useState } from 'react';
import { Button } from './form';
import { api } from '../api/endpoints';
import { ConfusionMatrix } from '../charts/confusion-matrix';
import { LineChart } from '../charts/line-chart';
import { formatPercent } from '../format';
import { Loading } from './feedback';

/** The artifact named `file` at the top of the result or in any folder (`out/history.json`). */
export const findArtifact = (artifacts: ArtifactView[], file: string) => artifacts.find((a) => a.name === file) ?? artifacts.find((a) => a.name.endsWith(`/${file}`));

/** Loads one optional JSON file of a result; undefined while loading, null when absent or unreadable. */
function useResultFile<T>(resultId: string, artifact: ArtifactView | undefined, parse: (raw: unknown) => T): T | null | undefined {
  const [value, setValue] = useState<T | null | undefined>(artifact ? undefined : null);
  useEffect(() => {
    if (!artifact) {
      setValue(null);
      return;
    }
    let cancelled = false;
    api.results
      .file<unknown>(resultId, artifact.name)
      .then((raw) => !cancelled && setValue(parse(raw)))
      .catch(() => !cancelled && setValue(null));
    return () => {
      cancelled = true;
    };
  }, [resultId, artifact?.name]); // eslint-disable-line react-hooks/exhaustive-deps
  return value;
}

export function TrainingCurves({ resultId, artifacts }: { resultId: string; artifacts: ArtifactView[] }) {
  const history = useResultFile<HistoryPoint[]>(resultId, findArtifact(artifacts, 'history.json'), readHistory);
  if (history === undefined) return <Loading label="Loading training history…" />;
  if (!history?.length) return <p className="muted">This result has no training history.</p>;
  const series = (key: 'trainAccuracy' | 'validationAccuracy' | 'crossEntropy') => history.filter((p) => p[key] !== undefined).map((p) => ({ x: p.step, y: p[key]! }));
  const accuracy = [
    { name: 'Training accuracy', color: '#1d4ed8', points: series('trainAccuracy') },
    { name: 'Validation accuracy', color: '#c2410c', points: series('validationAccuracy'), dashed: true },
  ].filter((s) => s.points.length);
  const loss = series('crossEntropy');
  return (
    <div className="charts">
      {accuracy.length > 0 && <LineChart title="Accuracy during training" series={accuracy} xLabel="Training step" yLabel="Accuracy" yDomain={[0, 1]} formatY={(v) => `${Math.round(v * 100)}%`} />}
      {loss.length > 0 && <LineChart title="Cross-entropy loss" series={[{ name: 'Cross-entropy', color: '#047857', points: loss }]} xLabel="Training step" yLabel="Loss" formatY={(v) => v.toFixed(2)} />}
    </div>
  );
}

export function ConfusionSection({ resultId, artifacts }: { resultId: string; artifacts: ArtifactView[] }) {
  const data = useResultFile<ConfusionMatrixData | null>(resultId, findArtifact(artifacts, 'confusion.json'), readConfusion);
  if (data === undefined) return <Loading label="Loading confusion matrix…" />;
  if (!data) return <p className="muted">This result has no confusion matrix.</p>;
  return <ConfusionMatrix data={data} />;
}

const pretty = (label: string | null | undefined) => (label ? label.replace(/[_-]+/g, ' ') : '—');

export function BeforeAfterTable({ resultId, artifacts }: { resultId: string; artifacts: ArtifactView[] }) {
  const rows = useResultFile<BeforeAfterRow[]>(resultId, findArtifact(artifacts, 'before-after.json'), readBeforeAfter);
  if (rows === undefined) return <Loading label="Loading the before/after comparison…" />;
  if (!rows?.length) return <p className="muted">This result has no before/after comparison (train with test images to get one).</p>;
  return <BeforeAfterRows resultId={resultId} artifacts={artifacts} rows={rows} />;
}

/** Long tables (one row per test image) start short; the rest is one click away. */
const FIRST_ROWS = 12;

function BeforeAfterRows({ resultId, artifacts, rows }: { resultId: string; artifacts: ArtifactView[]; rows: BeforeAfterRow[] }) {
  const [showAll, setShowAll] = useState(rows.length <= FIRST_ROWS);
  const shown = showAll ? rows : rows.slice(0, FIRST_ROWS);
  // An image is shown when the result contains it (by exact name or file name).
  const imageUrl = (image: string) => {
    const file = image.split('/').pop()!;
    const artifact = artifacts.find((a) => a.name === image) ?? artifacts.find((a) => a.contentType.startsWith('image/') && a.name.split('/').pop() === file);
    return artifact ? api.results.fileUrl(resultId, artifact.name) : null;
  };
  const cell = (p: BeforeAfterRow['before'], truth: string | null) =>
    p ? (
      <span className={truth ? (p.label === truth ? 'ok' : 'wrong') : undefined}>
        {pretty(p.label)}
        {p.confidence !== null && <span className="muted"> ({formatPercent(p.confidence, 0)})</span>}
      </span>
    ) : (
      '—'
    );
  return (
    // On a phone the table scrolls sideways: a region that the keyboard can reach and scroll.
    <div className="table-wrap" role="region" aria-label="Before and after training (scrolls sideways)" tabIndex={0}>
      <table className="before-after">
        <caption className="visually-hidden">Predictions on the test images before and after training</caption>
        <thead>
          <tr>
            <th scope="col">Image</th>
            <th scope="col">True class</th>
            <th scope="col">Before training</th>
            <th scope="col">After training</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((r) => {
            const url = imageUrl(r.image);
            return (
              <tr key={r.image}>
                <td>{url ? <img src={url} alt={`Test image ${r.image.split('/').pop()}`} width={96} height={72} loading="lazy" /> : r.image.split('/').pop()}</td>
                <td>{pretty(r.label)}</td>
                <td>{cell(r.before, r.label)}</td>
                <td>{cell(r.after, r.label)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {!showAll && (
        <div className="actions">
          <Button variant="secondary" onClick={() => setShowAll(true)}>
            Show all {rows.length} test images
          </Button>
        </div>
      )}
    </div>
  );
}
