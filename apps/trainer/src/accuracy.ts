import type { AccuracyEstimate, ClassQuality, HeadlineAccuracy } from '@trialhub/contracts';

/** z for a two-sided 95 % interval. */
const Z95 = 1.959963984540054;

/** Below this many test items the trainer also cross-validates, and the headline may use that instead. */
export const MIN_TEST_ITEMS = 30;

/**
 * The Wilson score interval for `correct` successes in `n` trials (Newcombe 1998, method 3):
 * unlike the normal approximation it stays inside [0, 1] and is honest at 0 % and 100 %.
 */
export function wilsonInterval(correct: number, n: number, z = Z95): { low: number; high: number } {
  if (!(n > 0)) return { low: 0, high: 1 };
  const p = correct / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** `correct` of `n` as an estimate with its interval; null when there is nothing to count. */
export function estimate(correct: number, n: number): AccuracyEstimate | null {
  if (!(n > 0)) return null;
  return { accuracy: correct / n, correct, n, ...wilsonInterval(correct, n) };
}

const wholePercent = (x: number) => `${Math.round(x * 100)}`;

/** "85 % (95 % interval 81–88 %, …)": whole percents, as a person reads them. */
export function describeEstimate(e: AccuracyEstimate, where: string): string {
  return `${wholePercent(e.accuracy)} % accuracy (95 % interval ${wholePercent(e.low)}–${wholePercent(e.high)} %, ${where})`;
}

/**
 * The headline: of the test estimate and the cross-validated one, the one with the larger N
 * (the test estimate on a tie, as it never saw training). `items` names what was counted
 * ("images", "examples").
 */
export function chooseHeadline(args: {
  test: AccuracyEstimate | null;
  crossValidation: (AccuracyEstimate & { folds: number }) | null;
  items: string;
}): HeadlineAccuracy | null {
  const { test, crossValidation: cv, items } = args;
  if (cv && (!test || cv.n > test.n)) {
    return { estimate: 'cross-validation', folds: cv.folds, ...strip(cv), text: describeEstimate(cv, `${cv.folds}-fold cross-validation on ${cv.n} ${items}`) };
  }
  if (test) return { estimate: 'test', ...strip(test), text: describeEstimate(test, `tested on ${test.n} held-out ${items}`) };
  return null;
}

const strip = (e: AccuracyEstimate): AccuracyEstimate => ({ accuracy: e.accuracy, correct: e.correct, n: e.n, low: e.low, high: e.high });

/** Precision and recall of each class from (actual, predicted) index pairs, each with its N. */
export function perClassQuality(classes: string[], pairs: { actual: number; predicted: number }[]): ClassQuality[] {
  return classes.map((name, c) => {
    const predictedAs = pairs.filter((p) => p.predicted === c);
    const ofClass = pairs.filter((p) => p.actual === c);
    return {
      class: name,
      precision: estimate(predictedAs.filter((p) => p.actual === c).length, predictedAs.length),
      recall: estimate(ofClass.filter((p) => p.predicted === c).length, ofClass.length),
    };
  });
}
