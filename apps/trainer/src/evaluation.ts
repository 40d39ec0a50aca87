import { copyFile, mkdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { AccuracyBreakdown, HeadlineAccuracy, MisclassifiedItem, PerClassQuality } from '@trialhub/contracts';
import { chooseHeadline, estimate, MIN_TEST_ITEMS, perClassQuality } from './accuracy';
import { crossValidate } from './cross-validation';
import { Example } from './dataset';
import { argmax, LabelledVectors, SoftmaxHead, TrainingMode } from './head';
import { BeforeAfterRow } from './report';

export interface Evaluation {
  accuracy: AccuracyBreakdown;
  headline: HeadlineAccuracy | null;
  perClass: PerClassQuality;
  misclassified: MisclassifiedItem[];
}

const correctCount = (probabilities: number[][], labels: number[]) => probabilities.filter((p, i) => argmax(p) === labels[i]).length;

/**
 * Every figure of a run with its N and 95 % interval. With fewer than MIN_TEST_ITEMS test
 * items the mode's schedule is also cross-validated on training + validation data, and the
 * headline and per-class figures use whichever estimate has the larger N.
 */
export async function evaluateRun(args: {
  classes: string[];
  mode: TrainingMode;
  steps: number;
  seed: number;
  /** The head that was scored on the test part (after any refit). */
  head: SoftmaxHead;
  /** The head the validation curve came from (before any refit). */
  validationHead: SoftmaxHead;
  trainedOn: LabelledVectors;
  train: LabelledVectors;
  validation: LabelledVectors;
  test: { example: Example; label: number }[];
  testProbabilities: number[][];
  /** The before/after rows, when they are --test-images rather than the test part. */
  testImageRows?: BeforeAfterRow[];
  items: string;
}): Promise<Evaluation> {
  const { classes, head, testProbabilities } = args;
  const testLabels = args.test.map((t) => t.label);
  const test = estimate(correctCount(testProbabilities, testLabels), testLabels.length);
  const validation = estimate(correctCount(args.validationHead.predict(args.validation.vectors), args.validation.labels), args.validation.labels.length);
  const train = estimate(correctCount(head.predict(args.trainedOn.vectors), args.trainedOn.labels), args.trainedOn.labels.length);

  let crossValidation: AccuracyBreakdown['crossValidation'] = null;
  let cvPairs: { actual: number; predicted: number }[] = [];
  if (testLabels.length < MIN_TEST_ITEMS) {
    const pool: LabelledVectors = { vectors: [...args.train.vectors, ...args.validation.vectors], labels: [...args.train.labels, ...args.validation.labels] };
    const cv = await crossValidate(pool, { mode: args.mode, classCount: classes.length, steps: args.steps, seed: args.seed });
    if (cv) {
      const e = estimate(cv.correct, cv.n);
      if (e) crossValidation = { ...e, folds: cv.folds };
      cvPairs = cv.predictions;
    }
  }
  const headline = chooseHeadline({ test, crossValidation, items: args.items });
  const testPairs = testProbabilities.map((p, i) => ({ actual: testLabels[i], predicted: argmax(p) }));
  const onCv = headline?.estimate === 'cross-validation';
  const perClass: PerClassQuality = { estimate: onCv ? 'cross-validation' : 'test', classes: perClassQuality(classes, onCv ? cvPairs : testPairs) };

  const scores = (p: number[]) => Object.fromEntries(classes.map((c, k) => [c, p[k]]));
  const misclassified: MisclassifiedItem[] = [];
  args.test.forEach((t, i) => {
    const p = testProbabilities[i];
    if (argmax(p) === t.label) return;
    misclassified.push({ image: `${t.example.className}/${t.example.name}`, label: classes[t.label], predicted: classes[argmax(p)], scores: scores(p), loss: -Math.log(Math.max(p[t.label], 1e-12)), set: 'test', file: null });
  });
  for (const row of args.testImageRows ?? []) {
    if (!row.label || row.label === row.predicted) continue;
    misclassified.push({ image: row.image, label: row.label, predicted: row.predicted, scores: row.after, loss: -Math.log(Math.max(row.after[row.label], 1e-12)), set: 'test-images', file: null });
  }
  misclassified.sort((a, b) => b.loss - a.loss);
  return { accuracy: { test, validation, train, crossValidation }, headline, perClass, misclassified };
}

const MAX_COPIED_IMAGE_BYTES = 5 * 1024 * 1024;
const MAX_COPIED = 100;

/**
 * Copies the misclassified test images next to the outputs as misclassified/<class>/<name>
 * (--test-images rows point at their copy in test_images/), and fills in each item's `file`.
 */
export async function copyMisclassifiedImages(items: MisclassifiedItem[], testExamples: Example[], out: string, copiedTestImages: string[]): Promise<string[]> {
  const copied: string[] = [];
  const byImage = new Map(testExamples.map((e) => [`${e.className}/${e.name}`, e]));
  for (const item of items.slice(0, MAX_COPIED)) {
    if (item.set === 'test-images') {
      const name = `test_images/${item.image}`;
      item.file = copiedTestImages.includes(name) ? name : null;
      continue;
    }
    const path = byImage.get(item.image)?.imagePath;
    if (!path || item.image.split('/').some((part) => part === '..' || part === '')) continue;
    try {
      if ((await stat(path)).size > MAX_COPIED_IMAGE_BYTES) continue;
      const name = `misclassified/${item.image}`;
      await mkdir(dirname(join(out, name)), { recursive: true });
      await copyFile(path, join(out, name));
      item.file = name;
      copied.push(name);
    } catch {
      // An unreadable image only loses its picture.
    }
  }
  return copied;
}
