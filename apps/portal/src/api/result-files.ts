import type { BeforeAfterRow, ConfusionMatrixData, HistoryPoint } from '@trialhub/contracts';

// The trainer's output files are read defensively: a result may come from an older trainer
// or a hand-made upload, and a malformed file must show "not available", never crash a page.

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const obj = (v: unknown): Record<string, unknown> | null => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null);

/** `history.json`: an array of steps, or `{ history | steps: [...] }`. */
export function parseHistory(raw: unknown): HistoryPoint[] {
  const list = Array.isArray(raw) ? raw : (obj(raw)?.history ?? obj(raw)?.steps);
  if (!Array.isArray(list)) return [];
  const points: HistoryPoint[] = [];
  list.forEach((item, index) => {
    const o = obj(item);
    if (!o) return;
    const point: HistoryPoint = {
      step: num(o.step) ?? index + 1,
      trainAccuracy: num(o.trainAccuracy),
      validationAccuracy: num(o.validationAccuracy),
      crossEntropy: num(o.crossEntropy) ?? num(o.loss),
    };
    if (point.trainAccuracy !== undefined || point.validationAccuracy !== undefined || point.crossEntropy !== undefined) points.push(point);
  });
  return points.sort((a, b) => a.step - b.step);
}

/** `confusion.json`: `{ classes | labels, matrix }` with matrix[actual][predicted]. */
export function parseConfusion(raw: unknown): ConfusionMatrixData | null {
  const o = obj(raw);
  if (!o) return null;
  const classes = (Array.isArray(o.classes) ? o.classes : Array.isArray(o.labels) ? o.labels : []).map((c) => String(c));
  const matrix = Array.isArray(o.matrix) ? o.matrix : null;
  if (!classes.length || !matrix || matrix.length !== classes.length) return null;
  const rows = matrix.map((row) => (Array.isArray(row) ? row.map((v) => num(v) ?? 0) : []));
  if (rows.some((r) => r.length !== classes.length)) return null;
  return { classes, matrix: rows };
}

/** A prediction: a class name, `{ label, confidence }`, or the trainer's scores per class (`{ pool: 0.8, ... }`). */
function prediction(v: unknown): BeforeAfterRow['before'] {
  if (typeof v === 'string') return { label: v, confidence: null };
  const o = obj(v);
  if (!o) return null;
  const label = str(o.label) ?? str(o.predicted) ?? str(o.class);
  if (label) return { label, confidence: num(o.confidence) ?? num(o.probability) ?? null };
  const scores = Object.entries(o).filter((e): e is [string, number] => num(e[1]) !== undefined);
  if (!scores.length) return null;
  const [best, score] = scores.reduce((a, b) => (b[1] > a[1] ? b : a));
  return { label: best, confidence: score };
}

/** `before-after.json`: an array (or `{ rows }`) of `{ image, label?, before, after }`, predictions as above. */
export function parseBeforeAfter(raw: unknown): BeforeAfterRow[] {
  const list = Array.isArray(raw) ? raw : obj(raw)?.rows;
  if (!Array.isArray(list)) return [];
  const rows: BeforeAfterRow[] = [];
  for (const item of list) {
    const o = obj(item);
    const image = o && (str(o.image) ?? str(o.file) ?? str(o.path));
    if (!o || !image) continue;
    rows.push({ image, label: str(o.label) ?? str(o.actual) ?? str(o.trueLabel), before: prediction(o.before), after: prediction(o.after) });
  }
  return rows;
}
