/**
 * HTML snippets a notebook shows with `tslab.display.html(...)`: images, curves, the
 * confusion matrix and the before/after table. Plain HTML and inline SVG, so they render in
 * Jupyter, in nbconvert's output and in a shared copy of the notebook without scripts.
 */
import { join } from 'node:path';
import { HistoryPoint } from './head';
import { thumbnailDataUrl } from './images';

const escape = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const percent = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '–' : `${(x * 100).toFixed(1)} %`);

/** A row of thumbnails with captions (e.g. a few images of each class). */
export async function imageGallery(images: { path: string; caption?: string }[], size = 140): Promise<string> {
  const cells: string[] = [];
  for (const image of images) {
    const src = await thumbnailDataUrl(image.path, size);
    const picture = src ? `<img src="${src}" alt="${escape(image.caption ?? image.path)}" style="max-width:${size}px;max-height:${size}px">` : `<div style="width:${size}px">(unreadable)</div>`;
    cells.push(`<figure style="display:inline-block;margin:4px;text-align:center;vertical-align:top">${picture}<figcaption style="font-size:11px;max-width:${size}px;overflow-wrap:anywhere">${escape(image.caption ?? '')}</figcaption></figure>`);
  }
  return `<div>${cells.join('')}</div>`;
}

/** Height of the legend's row under a chart's plot. */
const LEGEND_ROW = 18;

/** One SVG line chart; `series` points are [step, value]; `height` is the plot's, the legend adds its row below. */
export function lineChartSvg(title: string, series: { name: string; color: string; points: [number, number][] }[], options: { yMin?: number; yMax?: number; width?: number; height?: number } = {}): string {
  const width = options.width ?? 420;
  const height = options.height ?? 220;
  const pad = { left: 44, right: 12, top: 26, bottom: 30 };
  const all = series.flatMap((s) => s.points);
  if (!all.length) return `<p>${escape(title)}: no points.</p>`;
  const xMax = Math.max(1, ...all.map((p) => p[0]));
  const yMin = options.yMin ?? Math.min(...all.map((p) => p[1]));
  const yMax = options.yMax ?? Math.max(...all.map((p) => p[1]));
  const span = yMax - yMin || 1;
  const x = (v: number) => pad.left + (v / xMax) * (width - pad.left - pad.right);
  const y = (v: number) => pad.top + (1 - (v - yMin) / span) * (height - pad.top - pad.bottom);
  const lines = series
    .filter((s) => s.points.length)
    .map((s) => `<polyline fill="none" stroke="${s.color}" stroke-width="1.8" points="${s.points.map(([a, b]) => `${x(a).toFixed(1)},${y(b).toFixed(1)}`).join(' ')}"/>`);
  // The legend sits in a row of its own below the axis, so it never covers a curve.
  const legend = series.map((s, i) => `<text x="${pad.left + i * 130}" y="${height + LEGEND_ROW - 4}" font-size="11" fill="${s.color}">■ ${escape(s.name)}</text>`);
  const ticks = [yMin, yMin + span / 2, yMax].map((v) => `<text x="${pad.left - 6}" y="${y(v) + 4}" font-size="10" text-anchor="end">${v.toFixed(2)}</text>`);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height + LEGEND_ROW}" role="img" aria-label="${escape(title)}" style="font-family:sans-serif">`,
    `<text x="${width / 2}" y="16" font-size="13" text-anchor="middle">${escape(title)}</text>`,
    `<rect x="${pad.left}" y="${pad.top}" width="${width - pad.left - pad.right}" height="${height - pad.top - pad.bottom}" fill="none" stroke="#ccc"/>`,
    ...ticks,
    `<text x="${pad.left}" y="${height - 8}" font-size="10">0</text><text x="${width - pad.right}" y="${height - 8}" font-size="10" text-anchor="end">step ${xMax}</text>`,
    ...lines,
    ...legend,
    '</svg>',
  ].join('');
}

/** Accuracy (training and validation) and loss over the training steps, side by side. */
export function trainingCurves(history: HistoryPoint[]): string {
  const accuracy = lineChartSvg(
    'Accuracy',
    [
      { name: 'training', color: '#1f77b4', points: history.map((p) => [p.step, p.trainAccuracy]) },
      { name: 'validation', color: '#ff7f0e', points: history.filter((p) => p.validationAccuracy !== undefined).map((p) => [p.step, p.validationAccuracy!]) },
    ],
    { yMin: 0, yMax: 1 },
  );
  const loss = lineChartSvg('Cross-entropy (training batch)', [{ name: 'loss', color: '#2ca02c', points: history.map((p) => [p.step, p.crossEntropy]) }], { yMin: 0 });
  return `<div style="display:flex;gap:16px;flex-wrap:wrap">${accuracy}${loss}</div>`;
}

/** Rows are the actual class, columns the predicted one. */
export function confusionTable(confusion: { classes: string[]; matrix: number[][] }): string {
  const head = confusion.classes.map((c) => `<th>${escape(c)}</th>`).join('');
  const rows = confusion.matrix
    .map((row, i) => `<tr><th style="text-align:left">${escape(confusion.classes[i])}</th>${row.map((n, j) => `<td style="text-align:center;${i === j ? 'background:#e6f4ea' : n ? 'background:#fdecea' : ''}">${n}</td>`).join('')}</tr>`)
    .join('');
  return `<table><thead><tr><th>actual ↓ / predicted →</th>${head}</tr></thead><tbody>${rows}</tbody></table>`;
}

export interface BeforeAfterEntry {
  image: string;
  label?: string;
  before: Record<string, number>;
  after: Record<string, number>;
  predicted: string;
}

/**
 * The seed's last table: each test image with the untrained head's scores (about even) and
 * the trained head's. `imageRoot` is where `image` names resolve to files, for thumbnails.
 */
export async function beforeAfterTable(rows: BeforeAfterEntry[], imageRoot?: string): Promise<string> {
  const classes = rows.length ? Object.keys(rows[0].after) : [];
  const scoreCells = (scores: Record<string, number>) => classes.map((c) => `<td>${percent(scores[c])}</td>`).join('');
  const body: string[] = [];
  for (const row of rows) {
    const thumbnail = imageRoot ? await thumbnailDataUrl(join(imageRoot, row.image), 96) : undefined;
    const verdict = row.label === undefined ? '' : row.label === row.predicted ? ' ✓' : ' ✗';
    body.push(
      `<tr><td>${thumbnail ? `<img src="${thumbnail}" alt="${escape(row.image)}" style="max-height:96px">` : ''}</td><td style="overflow-wrap:anywhere;max-width:14em">${escape(row.image)}</td><td>${escape(row.label ?? '?')}</td>${scoreCells(row.before)}${scoreCells(row.after)}<td>${escape(row.predicted)}${verdict}</td></tr>`,
    );
  }
  const classHeads = classes.map((c) => `<th>${escape(c)}</th>`).join('');
  // Jupyter 6 lays tables out fixed (`.rendered_html table`), which cut the last column: automatic layout, and a
  // scroll box of its own where the output area is narrower than the table.
  return [
    '<div style="max-width:100%;overflow-x:auto" tabindex="0" role="region" aria-label="Scores before and after training">',
    '<table style="table-layout:auto;width:auto">',
    `<thead><tr><th></th><th>image</th><th>label</th><th colspan="${classes.length}">before training</th><th colspan="${classes.length}">after training</th><th>predicted</th></tr>`,
    `<tr><th></th><th></th><th></th>${classHeads}${classHeads}<th></th></tr></thead>`,
    `<tbody>${body.join('')}</tbody></table>`,
    '</div>',
  ].join('');
}

type Estimate = { accuracy: number; correct: number; n: number; low: number; high: number } | null | undefined;
const withInterval = (e: Estimate) => (e ? `${percent(e.accuracy)} <small>(${e.correct} of ${e.n}; 95 % interval ${percent(e.low)}–${percent(e.high)})</small>` : '–');

/** The honest numbers of a run: the headline sentence, every accuracy with N and interval, precision and recall per class. */
export function accuracySummary(metrics: {
  headline?: { text: string } | null;
  accuracy?: { test: Estimate; validation: Estimate; train: Estimate; crossValidation: (Estimate & { folds?: number }) | null };
  perClass?: { estimate: string; classes: { class: string; precision: Estimate; recall: Estimate }[] };
}): string {
  const a = metrics.accuracy;
  if (!a) return '<p>This run has no accuracy breakdown (trained by an older trainer).</p>';
  const rows: [string, Estimate][] = [['test', a.test], ...(a.crossValidation ? [[`${a.crossValidation.folds}-fold cross-validation`, a.crossValidation] as [string, Estimate]] : []), ['validation', a.validation], ['training', a.train]];
  const perClass = metrics.perClass
    ? `<table><thead><tr><th>class (${escape(metrics.perClass.estimate)})</th><th>precision</th><th>recall</th></tr></thead><tbody>${metrics.perClass.classes.map((c) => `<tr><td>${escape(c.class)}</td><td>${withInterval(c.precision)}</td><td>${withInterval(c.recall)}</td></tr>`).join('')}</tbody></table>`
    : '';
  return [
    metrics.headline ? `<p><strong>${escape(metrics.headline.text)}</strong></p>` : '<p>No test or cross-validation estimate.</p>',
    `<table><thead><tr><th>accuracy</th><th></th></tr></thead><tbody>${rows.map(([k, e]) => `<tr><td>${escape(k)}</td><td>${withInterval(e)}</td></tr>`).join('')}</tbody></table>`,
    perClass,
  ].join('');
}

/** The misclassified test images (`misclassified.json`), worst first, with thumbnails from the run folder. */
export async function misclassifiedGallery(items: { image: string; label: string; predicted: string; scores: Record<string, number>; file: string | null }[], runDir: string): Promise<string> {
  if (!items.length) return '<p>No test image was misclassified.</p>';
  const images = items.map((i) => ({ path: i.file ? join(runDir, i.file) : '', caption: `${i.image}: ${i.label}, predicted ${i.predicted} (${percent(i.scores[i.predicted])})` }));
  return imageGallery(images.filter((i) => i.path)).then((gallery) => gallery + (images.some((i) => !i.path) ? `<p>${images.filter((i) => !i.path).map((i) => escape(i.caption)).join('<br>')}</p>` : ''));
}
