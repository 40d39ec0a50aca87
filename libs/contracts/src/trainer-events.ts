/** JSON lines the trainer prints on stdout; the control plane relays them to the portal. */
export type TrainerEvent =
  | { type: 'start'; backend: string; mode: 'seed-compatible' | 'default'; classes: string[]; at: string }
  | { type: 'data'; images: number; bottlenecks: number; skipped: string[]; at: string }
  | { type: 'extract'; done: number; total: number; cached: number; at: string }
  | { type: 'split'; train: number; validation: number; test: number; at: string }
  | { type: 'step'; step: number; steps: number; trainAccuracy: number; crossEntropy: number; validationAccuracy?: number; at: string }
  | { type: 'done'; testAccuracy: number; validationAccuracy: number; trainAccuracy: number; seconds: number; out: string; at: string; testCount?: number; headline?: string }
  | { type: 'upload'; file: string; bytes: number; at: string }
  | { type: 'uploaded'; resultId: string; url: string; files: number; at: string }
  | { type: 'warning'; message: string; at: string }
  | { type: 'error'; message: string; at: string };

/** The subset of `metrics.json` every consumer (results, share page) relies on. */
export interface TrainerMetrics {
  testAccuracy: number;
  validationAccuracy: number;
  trainAccuracy: number;
  testCount: number;
  classes: string[];
  steps: number;
  mode: 'seed-compatible' | 'default';
  backend: string;
  seconds: number;
  /** Each accuracy with its N and 95 % Wilson interval (trainers from issue 14 on). */
  accuracy?: AccuracyBreakdown;
  /** The one figure to show: the estimate with the larger N (never a handful of test items). */
  headline?: HeadlineAccuracy | null;
  /** Precision and recall per class, on the headline's estimate. */
  perClass?: PerClassQuality;
  /** How many test items were misclassified (they are listed in `misclassified.json`). */
  misclassifiedCount?: number;
  [extra: string]: unknown;
}

/** An accuracy as `correct` of `n`, with its 95 % Wilson score interval [low, high]. */
export interface AccuracyEstimate {
  accuracy: number;
  correct: number;
  n: number;
  low: number;
  high: number;
}

/** `metrics.json` `accuracy`: null where the part was empty or not computed. */
export interface AccuracyBreakdown {
  test: AccuracyEstimate | null;
  validation: AccuracyEstimate | null;
  train: AccuracyEstimate | null;
  /** k-fold cross-validation on training + validation data, computed when the test part has fewer than 30 items. */
  crossValidation: (AccuracyEstimate & { folds: number }) | null;
}

export interface HeadlineAccuracy extends AccuracyEstimate {
  estimate: 'test' | 'cross-validation';
  folds?: number;
  /** A sentence a person reads, e.g. "85 % accuracy (95 % interval 81–88 %, 5-fold cross-validation on 454 images)". */
  text: string;
}

/** Precision (of the items predicted as the class) and recall (of the items of the class), each with its N. */
export interface ClassQuality {
  class: string;
  precision: AccuracyEstimate | null;
  recall: AccuracyEstimate | null;
}

export interface PerClassQuality {
  estimate: 'test' | 'cross-validation';
  classes: ClassQuality[];
}

/** One row of `misclassified.json` (fast.ai's top losses), worst first. */
export interface MisclassifiedItem {
  image: string;
  label: string;
  predicted: string;
  scores: Record<string, number>;
  /** Cross-entropy of the true class, -ln p(label). */
  loss: number;
  /** `test` split item, or one of the `--test-images`. */
  set: 'test' | 'test-images';
  /** The image inside the outputs (e.g. `misclassified/<class>/<name>`), or null when there is none (a stored bottleneck). */
  file: string | null;
}
