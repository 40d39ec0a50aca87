import { describe, expect, it } from 'vitest';
import { parseTrainerMetrics } from './trainer-metrics';

const good = { testAccuracy: 0.846, validationAccuracy: null, trainAccuracy: 1, testCount: 52, classes: ['a', 'b'], steps: 500, mode: 'default', backend: 'wasm', seconds: 3.2, images: { skipped: [] } };

describe("the trainer's metrics.json", () => {
  it('keeps the headline fields, accepting null accuracies for empty splits', () => {
    expect(parseTrainerMetrics(JSON.stringify(good))).toEqual({ testAccuracy: 0.846, validationAccuracy: null, trainAccuracy: 1, testCount: 52, classes: ['a', 'b'], steps: 500, mode: 'default', backend: 'wasm', seconds: 3.2 });
  });

  it.each([
    ['not json', /not valid JSON/],
    ['[1]', /must be a JSON object/],
    [JSON.stringify({ ...good, testAccuracy: 1.5 }), /testAccuracy must be a number between 0 and 1/],
    [JSON.stringify({ ...good, trainAccuracy: undefined }), /trainAccuracy is missing/],
    [JSON.stringify({ ...good, testCount: -1 }), /testCount must be a whole number/],
    [JSON.stringify({ ...good, classes: [] }), /classes must be a non-empty list/],
    [JSON.stringify({ ...good, steps: 'many' }), /steps must be a whole number/],
    [JSON.stringify({ ...good, backend: 3 }), /backend must be text/],
  ])('explains what is wrong with %s', (text, message) => {
    expect(() => parseTrainerMetrics(text)).toThrowError(message);
  });
});
