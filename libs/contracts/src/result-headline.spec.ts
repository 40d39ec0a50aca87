import { describe, expect, it } from 'vitest';
import { percent, resultHeadline, runDescription, tryItUnavailable, wilsonInterval } from './result-headline';

describe('result headline', () => {
  it('Wilson intervals match the published values (Newcombe 1998, table I, method 3)', () => {
    const cases: Array<[number, number, number, number]> = [
      [81, 263, 0.2553, 0.3662],
      [15, 148, 0.0624, 0.1605],
      [0, 20, 0, 0.1611],
      [1, 29, 0.0061, 0.1718],
    ];
    for (const [k, n, low, high] of cases) {
      const w = wilsonInterval(k, n);
      expect(w.low, `${k}/${n}`).toBeCloseTo(low, 4);
      expect(w.high, `${k}/${n}`).toBeCloseTo(high, 4);
    }
  });

  it('an old result with 3 of 3 test images right says 100 % only with N=3 and an interval down to 44 %', () => {
    const h = resultHeadline({ testAccuracy: 1, testCount: 3, classes: ['a', 'b'] })!;
    expect(h).toMatchObject({ estimate: 'test', correct: 3, n: 3, accuracy: 1 });
    expect(h.low).toBeCloseTo(0.4385, 3);
    expect(h.text).toBe('100 % accuracy (95 % interval 44 %–100 %, 3 test images)');
    expect(h.short).toBe('100 % accuracy, N=3');
  });

  it("uses the trainer's headline (the estimate with the larger N) when metrics.json has one", () => {
    const headline = { estimate: 'cross-validation', folds: 5, accuracy: 0.85, correct: 386, n: 454, low: 0.81, high: 0.88, text: '85 % accuracy (95 % interval 81–88 %, 5-fold cross-validation on 454 images)' };
    const h = resultHeadline({ testAccuracy: 1, testCount: 3, headline })!;
    expect(h).toMatchObject({ estimate: 'cross-validation', n: 454, folds: 5, text: headline.text, short: '85 % accuracy, N=454' });
  });

  it('ignores a headline that does not add up, and has none without a test count', () => {
    expect(resultHeadline({ testAccuracy: 0.5, testCount: 10, headline: { estimate: 'test', accuracy: 0.9, correct: 20, n: 10, low: 0.8, high: 1, text: 'x' } })?.n).toBe(10);
    expect(resultHeadline({ testAccuracy: 1 })).toBeNull();
    expect(resultHeadline({ testAccuracy: 1, testCount: 0 })).toBeNull();
    expect(resultHeadline(null)).toBeNull();
  });

  it('percentages and run descriptions read naturally', () => {
    expect(percent(0.846)).toBe('85 %');
    expect(percent(0.9615)).toBe('96.2 %');
    expect(percent(0.91992)).toBe('92 %');
    expect(percent(0.99996)).toBe('99.9 %');
    expect(percent(1)).toBe('100 %');
    expect(runDescription({ classes: ['pool', 'no pool'], mode: 'default' })).toBe('pool vs no pool, default mode');
  });
});

describe('whether try-it can run for a result', () => {
  it('can with a full model; says why not for stored bottlenecks and for a result saved without one', () => {
    expect(tryItUnavailable(['full-model/model.json', 'metrics.json'], { featureModel: null })).toBeNull();
    expect(tryItUnavailable(['model/model.json'], { featureModel: null })).toMatch(/^Try it is not available for this result: its new layer was trained on stored bottlenecks/);
    expect(tryItUnavailable(['model/model.json'], { testAccuracy: 0.8 })).toMatch(/saved without its full model \(full-model\/\)/);
  });
});
