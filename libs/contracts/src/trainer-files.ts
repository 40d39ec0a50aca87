import type { BeforeAfterRow, ConfusionMatrixData, HistoryPoint, Prediction } from './results';
import { accuracyEstimate, trainerHeadline } from './result-headline';
import type { HeadlineAccuracy, MisclassifiedItem, PerClassQuality } from './trainer-events';

/**
 * The trainer's output files, read defensively (the share page on the server, the result page in
 * the portal): a result may come from an older trainer or a hand-made upload, and a malformed or
 * missing file means "not available", never an error.
 */

type Json = Record<string, unknown>;
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const obj = (v: unknown): Json | null => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : null);
const MAX_ROWS = 5000;

/** `history.json`: a list of steps, or `{ history | steps: [...] }`. */
export function readHistory(raw: unknown): HistoryPoint[] {
  const list = Array.isArray(raw) ? raw : (obj(raw)?.history ?? obj(raw)?.steps);
  if (!Array.isArray(list)) return [];
  const points: HistoryPoint[] = [];
  list.slice(0, MAX_ROWS).forEach((item, index) => {
    const o = obj(item);
    if (!o) return;
    const p: HistoryPoint = { step: num(o.step) ?? index + 1, trainAccuracy: num(o.trainAccuracy), validationAccuracy: num(o.validationAccuracy), crossEntropy: num(o.crossEntropy) ?? num(o.loss) };
    if (p.trainAccuracy !== undefined || p.validationAccuracy !== undefined || p.crossEntropy !== undefined) points.push(p);
  });
  return points.sort((a, b) => a.step - b.step);
}

/** `confusion.json`: `{ classes | labels, matrix }`, matrix[actual][predicted]. */
export function readConfusion(raw: unknown): ConfusionMatrixData | null {
  const o = obj(raw);
  if (!o) return null;
  const classes = (Array.isArray(o.classes) ? o.classes : Array.isArray(o.labels) ? o.labels : []).map(String);
  if (!classes.length || classes.length > 200 || !Array.isArray(o.matrix) || o.matrix.length !== classes.length) return null;
  const matrix = o.matrix.map((row) => (Array.isArray(row) ? row.map((v) => num(v) ?? 0) : []));
  return matrix.every((row) => row.length === classes.length) ? { classes, matrix } : null;
}

/** A prediction: a class name, `{ label, confidence }`, or scores per class (`{ pool: 0.8, … }`). */
function prediction(v: unknown): Prediction | null {
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

/** `before-after.json`: a list (or `{ rows }`) of `{ image, label?, before, after }`, predictions as above. */
export function readBeforeAfter(raw: unknown): BeforeAfterRow[] {
  const list = Array.isArray(raw) ? raw : obj(raw)?.rows;
  if (!Array.isArray(list)) return [];
  const rows: BeforeAfterRow[] = [];
  for (const item of list.slice(0, MAX_ROWS)) {
    const o = obj(item);
    const image = o && (str(o.image) ?? str(o.file) ?? str(o.path));
    if (!o || !image) continue;
    rows.push({ image, label: str(o.label) ?? str(o.actual) ?? str(o.trueLabel), before: prediction(o.before), after: prediction(o.after) });
  }
  return rows;
}

/** An `{ accuracy, correct, n, low, high }` estimate, or null when any part is missing or out of range. */
export const readEstimate = accuracyEstimate;

/**
 * `metrics.json`'s `headline` (trainers from issue 14 on): the estimate to show, with its N,
 * interval and a sentence, read by `trainerHeadline` (the one reader, which the result and share
 * pages use too). Null for older results: `resultHeadline` gives them their test accuracy with its N.
 */
export function readHeadline(metrics: unknown): HeadlineAccuracy | null {
  const h = trainerHeadline(metrics);
  if (!h) return null;
  return { estimate: h.estimate, accuracy: h.accuracy, correct: h.correct, n: h.n, low: h.low, high: h.high, ...(h.folds !== undefined ? { folds: h.folds } : {}), text: h.text };
}

/** `metrics.json`'s `perClass`: precision and recall of each class with their N. */
export function readPerClass(metrics: unknown): PerClassQuality | null {
  const p = obj(obj(metrics)?.perClass);
  if (!p || (p.estimate !== 'test' && p.estimate !== 'cross-validation') || !Array.isArray(p.classes)) return null;
  const classes = p.classes.slice(0, 200).flatMap((c) => {
    const o = obj(c);
    const name = o && str(o.class);
    return name ? [{ class: name, precision: readEstimate(o.precision), recall: readEstimate(o.recall) }] : [];
  });
  return { estimate: p.estimate, classes };
}

/** `misclassified.json`: the misclassified test images, worst first; `file` only when it is a plain relative path. */
export function readMisclassified(raw: unknown): MisclassifiedItem[] {
  if (!Array.isArray(raw)) return [];
  const items: MisclassifiedItem[] = [];
  for (const item of raw.slice(0, MAX_ROWS)) {
    const o = obj(item);
    const image = o && str(o.image);
    const label = o && str(o.label);
    const predicted = o && str(o.predicted);
    if (!o || !image || !label || !predicted) continue;
    const scores = Object.fromEntries(Object.entries(obj(o.scores) ?? {}).filter((e): e is [string, number] => num(e[1]) !== undefined));
    const file = str(o.file);
    const safeFile = file && !file.startsWith('/') && !file.split('/').some((part) => part === '..' || part === '') ? file : null;
    items.push({ image, label, predicted, scores, loss: num(o.loss) ?? 0, set: o.set === 'test-images' ? 'test-images' : 'test', file: safeFile });
  }
  return items;
}
