import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeImageDataset } from '../../../test/trainer-fixtures/synthetic';
import { estimate } from './accuracy';
import { accuracySummary, beforeAfterTable, confusionTable, imageGallery, lineChartSvg, misclassifiedGallery, trainingCurves } from './notebook-display';

describe('notebook display helpers', () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'trainer-display-'));
    await writeImageDataset(dir, { red: 1, blue: 1 });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a gallery embeds each image as a JPEG data URL with its caption escaped', async () => {
    const html = await imageGallery([{ path: join(dir, 'red/r00.png'), caption: 'red <1>' }, { path: join(dir, 'missing.png'), caption: 'gone' }]);
    expect(html.match(/src="data:image\/jpeg;base64,/g)).toHaveLength(1);
    expect(html).toContain('red &lt;1&gt;');
    expect(html).toContain('(unreadable)');
  });

  it('a line chart has one polyline per non-empty series, scaled into the frame', () => {
    const svg = lineChartSvg('Accuracy', [{ name: 'a', color: 'red', points: [[0, 0], [10, 1]] }, { name: 'b', color: 'blue', points: [] }], { yMin: 0, yMax: 1, width: 100, height: 100 });
    expect(svg.match(/<polyline/g)).toHaveLength(1);
    // x from 44 (left padding) to 88 (width - right padding); y from 70 (bottom) to 26 (top).
    expect(svg).toContain('points="44.0,70.0 88.0,26.0"');
    expect(lineChartSvg('Empty', [])).toContain('no points');
  });

  it("a chart's legend sits below the plot, never over a curve", () => {
    const svg = lineChartSvg('Accuracy', [{ name: 'training', color: 'red', points: [[0, 0], [10, 1]] }, { name: 'validation', color: 'blue', points: [[0, 1], [10, 0]] }], { yMin: 0, yMax: 1, width: 300, height: 100 });
    const legendYs = [...svg.matchAll(/<text x="[\d.]+" y="([\d.]+)"[^>]*>■/g)].map((m) => Number(m[1]));
    expect(legendYs).toHaveLength(2);
    // The plot frame ends at y = 100 - 30; the SVG grows by the legend's row.
    for (const y of legendYs) expect(y).toBeGreaterThan(100);
    expect(svg).toContain('height="118"');
  });

  it('training curves show training and validation accuracy and the loss', () => {
    const html = trainingCurves([
      { step: 0, trainAccuracy: 0.5, crossEntropy: 0.69, validationAccuracy: 0.4 },
      { step: 10, trainAccuracy: 0.9, crossEntropy: 0.3 },
    ]);
    expect(html.match(/<svg/g)).toHaveLength(2);
    expect(html.match(/<polyline/g)).toHaveLength(3);
  });

  it('the confusion table marks the diagonal and the mistakes', () => {
    const html = confusionTable({ classes: ['a', 'b'], matrix: [[3, 1], [0, 2]] });
    expect(html.match(/#e6f4ea/g)).toHaveLength(2);
    expect(html.match(/#fdecea/g)).toHaveLength(1);
  });

  it('the before/after table shows scores as percentages, a verdict and the thumbnail', async () => {
    const html = await beforeAfterTable(
      [
        { image: 'red/r00.png', label: 'red', before: { blue: 0.5, red: 0.5 }, after: { blue: 0.1, red: 0.9 }, predicted: 'red' },
        { image: 'blue/b00.png', label: 'blue', before: { blue: 0.5, red: 0.5 }, after: { blue: 0.3, red: 0.7 }, predicted: 'red' },
      ],
      dir,
    );
    expect(html).toContain('<td>90.0 %</td>');
    expect(html).toContain('red ✓');
    expect(html).toContain('red ✗');
    expect(html.match(/data:image\/jpeg/g)).toHaveLength(2);
    // Laid out automatically in a box that scrolls, so no column is cut off in Jupyter 6.
    expect(html).toMatch(/^<div style="max-width:100%;overflow-x:auto" tabindex="0" role="region" aria-label="Scores before and after training"><table style="table-layout:auto;width:auto">/);
    expect(html.endsWith('</table></div>')).toBe(true);
  });

  it('an accuracy summary shows the headline and each accuracy with its N and interval', () => {
    const html = accuracySummary({
      headline: { text: '89 % accuracy (95 % interval 75–96 %, 5-fold cross-validation on 37 images)' },
      accuracy: { test: estimate(3, 3), validation: estimate(6, 6), train: estimate(37, 37), crossValidation: { ...estimate(33, 37)!, folds: 5 } },
      perClass: { estimate: 'cross-validation', classes: [{ class: 'pool <a>', precision: estimate(12, 13), recall: null }] },
    });
    expect(html).toContain('<strong>89 % accuracy (95 % interval 75–96 %, 5-fold cross-validation on 37 images)</strong>');
    expect(html).toContain('100.0 % <small>(3 of 3; 95 % interval 43.9 %–100.0 %)</small>');
    expect(html).toContain('5-fold cross-validation</td><td>89.2 % <small>(33 of 37;');
    expect(html).toContain('pool &lt;a&gt;');
    expect(accuracySummary({})).toMatch(/older trainer/);
  });

  it('a misclassified gallery shows each wrong image with what it was taken for', async () => {
    const html = await misclassifiedGallery([
      { image: 'red/r00.png', label: 'red', predicted: 'blue', scores: { red: 0.3, blue: 0.7 }, file: 'red/r00.png' },
      { image: 'x.txt', label: 'red', predicted: 'blue', scores: { red: 0.4, blue: 0.6 }, file: null },
    ], dir);
    expect(html.match(/src="data:image\/jpeg;base64,/g)).toHaveLength(1);
    expect(html).toContain('red/r00.png: red, predicted blue (70.0 %)');
    expect(html).toContain('x.txt: red, predicted blue (60.0 %)');
    expect(await misclassifiedGallery([], dir)).toContain('No test image was misclassified');
  });
});
