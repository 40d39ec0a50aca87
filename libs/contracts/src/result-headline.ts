/**
 * The one accuracy figure a result shows (result page, share page, link preview), always with
 * its N and 95 % interval. Trainers from issue 14 on write it as `metrics.headline` (the
 * estimate with the larger N: the test split, or cross-validation when the test split is a
 * handful); older results only have `testAccuracy` and `testCount`, and get the same figure
 * computed here with a Wilson score interval. Never "100 %" without its N.
 */

import type { AccuracyEstimate } from './trainer-events';

export interface ResultHeadline {
  accuracy: number;
  correct: number;
  n: number;
  /** 95 % Wilson score interval. */
  low: number;
  high: number;
  estimate: 'test' | 'cross-validation';
  folds?: number;
  /** e.g. "85 % accuracy (95 % interval 81–88 %, 5-fold cross-validation on 454 images)". */
  text: string;
  /** Short, for titles and previews: "85 % accuracy, N=454". */
  short: string;
}

const Z95 = 1.959963984540054;
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const obj = (v: unknown): Record<string, unknown> | null => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null);

/** The 95 % Wilson score interval of `correct` successes out of `n` (Wilson 1927; Newcombe 1998, method 3). */
export function wilsonInterval(correct: number, n: number, z = Z95): { low: number; high: number } {
  if (!(n > 0)) return { low: 0, high: 1 };
  const p = correct / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** A percentage as people read it: whole numbers, one decimal near 0 and 100 % where it matters; never "100 %" or "0 %" unless it is exactly that. */
export function percent(x: number): string {
  const v = x * 100;
  let text = v > 0 && v < 100 && (v < 10 || v > 90) ? v.toFixed(1).replace(/\.0$/, '') : v.toFixed(0);
  if (v < 100 && Number(text) >= 100) text = '99.9';
  if (v > 0 && Number(text) <= 0) text = '0.1';
  return `${text} %`;
}

function describe(h: Omit<ResultHeadline, 'text' | 'short'>, text?: string): ResultHeadline {
  const what = h.estimate === 'cross-validation' ? `${h.folds ? `${h.folds}-fold ` : ''}cross-validation on ${h.n} images` : `${h.n} test image${h.n === 1 ? '' : 's'}`;
  return {
    ...h,
    text: text ?? `${percent(h.accuracy)} accuracy (95 % interval ${percent(h.low)}–${percent(h.high)}, ${what})`,
    short: `${percent(h.accuracy)} accuracy, N=${h.n}`,
  };
}

/** An accuracy with its N and interval as the trainer writes them (`{ accuracy, correct, n, low, high }`), or null when it does not add up. */
export function accuracyEstimate(raw: unknown): AccuracyEstimate | null {
  const o = obj(raw);
  if (!o) return null;
  const [accuracy, correct, n, low, high] = [num(o.accuracy), num(o.correct), num(o.n), num(o.low), num(o.high)];
  if (accuracy === undefined || correct === undefined || n === undefined || low === undefined || high === undefined) return null;
  if (!(n > 0) || correct < 0 || correct > n || low < 0 || high > 1 || low > accuracy || accuracy > high) return null;
  return { accuracy, correct, n, low, high };
}

/** `metrics.headline` as the trainer wrote it, or null when it is missing or does not add up. */
export function trainerHeadline(metrics: unknown): ResultHeadline | null {
  const h = obj(obj(metrics)?.headline);
  const e = accuracyEstimate(h);
  if (!h || !e || (h.estimate !== 'test' && h.estimate !== 'cross-validation')) return null;
  const folds = num(h.folds);
  const text = typeof h.text === 'string' && h.text.trim() ? h.text.trim().slice(0, 300) : undefined;
  return describe({ ...e, estimate: h.estimate, ...(folds !== undefined ? { folds } : {}) }, text);
}

/** The headline of a result's metrics: the trainer's, else the test accuracy with its N and Wilson interval; null when there is no test estimate. */
export function resultHeadline(metrics: unknown): ResultHeadline | null {
  const m = obj(metrics);
  if (!m) return null;
  const fromTrainer = trainerHeadline(m);
  if (fromTrainer) return fromTrainer;
  const accuracy = num(m.testAccuracy);
  const n = num(m.testCount);
  if (accuracy === undefined || n === undefined || !(n > 0) || accuracy < 0 || accuracy > 1) return null;
  const correct = Math.round(accuracy * n);
  return describe({ accuracy: correct / n, correct, n, ...wilsonInterval(correct, n), estimate: 'test' });
}

/** What the run was, in a few words: "house_with_pool vs house_without_pool, default mode" (for titles and summaries). */
export function runDescription(metrics: unknown): string {
  const m = obj(metrics);
  if (!m) return '';
  const classes = Array.isArray(m.classes) ? m.classes.filter((c): c is string => typeof c === 'string') : [];
  const parts = [classes.length ? (classes.length <= 3 ? classes.join(' vs ') : `${classes.length} classes`) : '', typeof m.mode === 'string' ? `${m.mode} mode` : ''];
  return parts.filter(Boolean).join(', ');
}

/** Where a run keeps its full-model export (backbone + head as one TF.js model): what try-it runs. */
export const FULL_MODEL_JSON = 'full-model/model.json';

/**
 * Why try-it cannot classify a photo with this result, in words for its page, or null when it can.
 * A head trained on stored bottlenecks has no backbone to compose at predict time: the seed's were
 * computed in 2015 with a TensorFlow graph (Inception v3 2015-12-05, pool_3) whose weights are not
 * the bundled Inception v3's, so its features would not be the ones the head learned from.
 */
export function tryItUnavailable(artifactNames: readonly string[], metrics: unknown): string | null {
  if (artifactNames.includes(FULL_MODEL_JSON)) return null;
  const m = obj(metrics);
  if (m && 'featureModel' in m && m.featureModel === null) {
    return 'Try it is not available for this result: its new layer was trained on stored bottlenecks, features the seed computed in 2015 with a TensorFlow graph that does not run here, so nothing here can turn a photo into the numbers it learned from. A run trained on photos (part 3 of the example notebook) can be tried.';
  }
  return 'Try it is not available for this result: it was saved without its full model (full-model/), so there is no model here to classify a photo with. Train it again with the current trainer to get one.';
}
