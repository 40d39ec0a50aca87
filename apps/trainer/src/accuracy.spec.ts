import { beforeAll, describe, expect, it } from 'vitest';
import { chooseHeadline, estimate, perClassQuality, wilsonInterval } from './accuracy';
import { selectBackend } from './backend';
import { crossValidate } from './cross-validation';
import { evaluateRun } from './evaluation';
import { LabelledVectors, SoftmaxHead } from './head';

describe('the Wilson score interval', () => {
  // Newcombe (1998), "Two-sided confidence intervals for the single proportion", Table I, method 3.
  it.each([
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
  ])('%i of %i: %f to %f', (k, n, low, high) => {
    const interval = wilsonInterval(k, n);
    expect(interval.low).toBeCloseTo(low, 4);
    expect(interval.high).toBeCloseTo(high, 4);
  });

  it('is honest about 100 % on a handful: 3 of 3 is 44–100 %', () => {
    const e = estimate(3, 3)!;
    expect(e).toMatchObject({ accuracy: 1, correct: 3, n: 3, high: 1 });
    expect(e.low).toBeCloseTo(0.4385, 4);
  });

  it('has no estimate for nothing counted', () => {
    expect(estimate(0, 0)).toBeNull();
  });
});

describe('the headline rule', () => {
  const cv = { ...estimate(385, 454)!, folds: 5 };

  it('uses cross-validation when it counted more items than the test set', () => {
    const h = chooseHeadline({ test: estimate(3, 3), crossValidation: cv, items: 'images' })!;
    expect(h).toMatchObject({ estimate: 'cross-validation', folds: 5, n: 454, correct: 385 });
    expect(h.text).toBe('85 % accuracy (95 % interval 81–88 %, 5-fold cross-validation on 454 images)');
  });

  it('uses the test set when it is the larger (or on a tie), and when there is no cross-validation', () => {
    expect(chooseHeadline({ test: estimate(44, 52), crossValidation: { ...estimate(30, 40)!, folds: 5 }, items: 'examples' })).toMatchObject({ estimate: 'test', n: 52 });
    expect(chooseHeadline({ test: estimate(10, 40), crossValidation: { ...estimate(30, 40)!, folds: 5 }, items: 'x' })).toMatchObject({ estimate: 'test' });
    const h = chooseHeadline({ test: estimate(44, 52), crossValidation: null, items: 'examples' })!;
    expect(h.text).toBe('85 % accuracy (95 % interval 72–92 %, tested on 52 held-out examples)');
  });

  it('has no headline without any estimate', () => {
    expect(chooseHeadline({ test: null, crossValidation: null, items: 'images' })).toBeNull();
  });
});

describe('precision and recall per class', () => {
  it('counts each with its own N', () => {
    // actual a: 3 (2 right), actual b: 2 (1 right, 1 called a)
    const pairs = [{ actual: 0, predicted: 0 }, { actual: 0, predicted: 0 }, { actual: 0, predicted: 1 }, { actual: 1, predicted: 1 }, { actual: 1, predicted: 0 }];
    const [a, b] = perClassQuality(['a', 'b'], pairs);
    expect(a.recall).toMatchObject({ correct: 2, n: 3 });
    expect(a.precision).toMatchObject({ correct: 2, n: 3 });
    expect(b.recall).toMatchObject({ correct: 1, n: 2 });
    expect(b.precision).toMatchObject({ correct: 1, n: 2 });
    expect(perClassQuality(['a', 'b', 'c'], pairs)[2]).toEqual({ class: 'c', precision: null, recall: null });
  });
});

/** Two Gaussian clusters in 4 dimensions. */
function clusters(perClass: number, seed = 1): LabelledVectors {
  let s = seed;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296) - 0.5;
  const vectors: Float32Array[] = [];
  const labels: number[] = [];
  for (let c = 0; c < 2; c++) for (let i = 0; i < perClass; i++) {
    vectors.push(Float32Array.from([c === 0 ? 1 : 0, c === 1 ? 1 : 0, 0, 0].map((x) => x + rand() * 1.2)));
    labels.push(c);
  }
  return { vectors, labels };
}

describe('cross-validation', () => {
  beforeAll(async () => {
    await selectBackend();
  });

  it('scores every item once, held out from the head that scores it, with each class in every fold', async () => {
    const data = clusters(12);
    const cv = (await crossValidate(data, { mode: 'default', classCount: 2, steps: 100 }))!;
    expect(cv.folds).toBe(5);
    expect(cv.n).toBe(24);
    expect(cv.predictions.map((p) => p.actual).sort()).toEqual([...data.labels].sort());
    expect(cv.correct / cv.n).toBeGreaterThan(0.7);
  });

  it('is what the run reports when the test part has fewer than 30 items, and not otherwise', async () => {
    const data = clusters(20);
    const head = new SoftmaxHead(4, 2, Float32Array.from([5, -5, -5, 5, 0, 0, 0, 0]), new Float32Array(2));
    const test = (n: number) => Array.from({ length: n }, (_, i) => ({ example: { className: i % 2 ? 'b' : 'a', name: `${i}.jpg` }, label: i % 2 }));
    const run = (n: number) => {
      const items = test(n);
      return evaluateRun({
        classes: ['a', 'b'], mode: 'default', steps: 50, seed: 0, head, validationHead: head, trainedOn: data, train: data, validation: { vectors: [], labels: [] },
        test: items, testProbabilities: items.map((t) => (t.label ? [0.2, 0.8] : [0.9, 0.1])), items: 'images',
      });
    };
    const small = await run(4);
    expect(small.accuracy.test).toMatchObject({ accuracy: 1, n: 4 });
    expect(small.accuracy.crossValidation).toMatchObject({ folds: 5, n: 40 });
    expect(small.headline).toMatchObject({ estimate: 'cross-validation', n: 40 });
    expect(small.headline!.text).toMatch(/, 5-fold cross-validation on 40 images\)$/);
    const large = await run(30);
    expect(large.accuracy.crossValidation).toBeNull();
    expect(large.headline).toMatchObject({ estimate: 'test', n: 30, accuracy: 1 });
  });
});
