import { describe, expect, it } from 'vitest';
import { readBeforeAfter, readConfusion, readHeadline, readHistory, readMisclassified, readPerClass } from './trainer-files';

describe("reading the trainer's result files", () => {
  it('reads the training history in step order, skipping junk', () => {
    const points = readHistory([
      { step: 20, trainAccuracy: 0.9, crossEntropy: 0.3, validationAccuracy: 0.85 },
      { step: 10, trainAccuracy: 0.7, crossEntropy: 0.6 },
      'junk',
      { step: 30 },
    ]);
    expect(points).toEqual([
      { step: 10, trainAccuracy: 0.7, validationAccuracy: undefined, crossEntropy: 0.6 },
      { step: 20, trainAccuracy: 0.9, validationAccuracy: 0.85, crossEntropy: 0.3 },
    ]);
    expect(readHistory({ history: [{ step: 1, loss: 2 }] })).toEqual([{ step: 1, trainAccuracy: undefined, validationAccuracy: undefined, crossEntropy: 2 }]);
    expect(readHistory(null)).toEqual([]);
  });

  it('reads a square confusion matrix and refuses a ragged one', () => {
    const good = { classes: ['pool', 'no_pool'], matrix: [[5, 1], [0, 4]], rows: 'actual', columns: 'predicted' };
    expect(readConfusion(good)).toEqual({ classes: ['pool', 'no_pool'], matrix: [[5, 1], [0, 4]] });
    expect(readConfusion({ classes: ['a', 'b'], matrix: [[1, 2]] })).toBeNull();
    expect(readConfusion({ classes: ['a', 'b'], matrix: [[1, 2], [3]] })).toBeNull();
    expect(readConfusion([])).toBeNull();
  });

  it("takes the best class from the trainer's per-class scores", () => {
    const rows = readBeforeAfter([
      { image: 'house_with_pool/a.jpg', label: 'house_with_pool', before: { house_with_pool: 0.4, house_without_pool: 0.6 }, after: { house_with_pool: 0.93, house_without_pool: 0.07 }, predicted: 'house_with_pool' },
      { image: 'x.jpg', before: 'cat', after: { label: 'dog', confidence: 0.7 } },
      { notAnImage: true },
    ]);
    expect(rows).toEqual([
      { image: 'house_with_pool/a.jpg', label: 'house_with_pool', before: { label: 'house_without_pool', confidence: 0.6 }, after: { label: 'house_with_pool', confidence: 0.93 } },
      { image: 'x.jpg', label: null, before: { label: 'cat', confidence: null }, after: { label: 'dog', confidence: 0.7 } },
    ]);
  });

  it('reads the honest headline, and nothing from an older or a malformed metrics.json', () => {
    const headline = { estimate: 'cross-validation', folds: 5, accuracy: 0.85, correct: 385, n: 454, low: 0.81, high: 0.88, text: '85 % accuracy (95 % interval 81–88 %, 5-fold cross-validation on 454 images)' };
    expect(readHeadline({ testAccuracy: 1, headline })).toEqual(headline);
    expect(readHeadline({ testAccuracy: 1, testCount: 3 })).toBeNull();
    expect(readHeadline({ headline: { ...headline, estimate: 'vibes' } })).toBeNull();
    expect(readHeadline({ headline: { ...headline, low: 0.9 } })).toBeNull();
    expect(readHeadline({ headline: { ...headline, correct: 500 } })).toBeNull();
  });

  it('reads precision and recall per class, and the misclassified images with safe file paths', () => {
    const e = { accuracy: 0.5, correct: 1, n: 2, low: 0.09, high: 0.91 };
    expect(readPerClass({ perClass: { estimate: 'test', classes: [{ class: 'pool', precision: e, recall: null }, { nope: 1 }] } })).toEqual({ estimate: 'test', classes: [{ class: 'pool', precision: e, recall: null }] });
    expect(readPerClass({})).toBeNull();
    const rows = readMisclassified([
      { image: 'pool/a.jpg', label: 'pool', predicted: 'no_pool', scores: { pool: 0.2, no_pool: 0.8 }, loss: 1.6, set: 'test', file: 'misclassified/pool/a.jpg' },
      { image: 'b.jpg', label: 'pool', predicted: 'no_pool', scores: {}, loss: 1, set: 'test-images', file: '../../etc/passwd' },
      { image: 'c.jpg' },
    ]);
    expect(rows).toEqual([
      { image: 'pool/a.jpg', label: 'pool', predicted: 'no_pool', scores: { pool: 0.2, no_pool: 0.8 }, loss: 1.6, set: 'test', file: 'misclassified/pool/a.jpg' },
      { image: 'b.jpg', label: 'pool', predicted: 'no_pool', scores: {}, loss: 1, set: 'test-images', file: null },
    ]);
    expect(readMisclassified({})).toEqual([]);
  });
});
