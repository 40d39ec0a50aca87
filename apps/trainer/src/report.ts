import { join } from 'node:path';
import type { AccuracyBreakdown, AccuracyEstimate, HeadlineAccuracy, MisclassifiedItem, PerClassQuality } from '@trialhub/contracts';
import { HistoryPoint } from './head';
import { thumbnailDataUrl } from './images';

export interface BeforeAfterRow {
  image: string;
  label?: string;
  before: Record<string, number>;
  after: Record<string, number>;
  predicted: string;
  /** A data: URL thumbnail, when the example is an image. */
  thumbnail?: string;
  /** The image file scored, when there is one (copied next to the outputs as test_images/<image>). */
  path?: string;
}

export interface ReportInput {
  title: string;
  metrics: Record<string, unknown> & { classes: string[]; accuracy?: AccuracyBreakdown; headline?: HeadlineAccuracy | null; perClass?: PerClassQuality };
  misclassified?: (MisclassifiedItem & { thumbnail?: string })[];
  history: HistoryPoint[];
  confusion: { classes: string[]; matrix: number[][] };
  beforeAfter: BeforeAfterRow[];
}

const escape = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const pct = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? `${(x * 100).toFixed(1)} %` : '–');

/** "84.6 % (44 of 52; 95 % interval 74.8–91.0 %)", or a dash when there was nothing to count. */
export function formatEstimate(e: AccuracyEstimate | null | undefined): string {
  if (!e) return '–';
  return `${pct(e.accuracy)} (${e.correct} of ${e.n}; 95 % interval ${(e.low * 100).toFixed(1)}–${(e.high * 100).toFixed(1)} %)`;
}

/** What the run was, for titles: classes, mode and the honest headline (with its N). */
export function resultTitle(metrics: { classes: string[]; mode?: unknown; headline?: HeadlineAccuracy | null }): string {
  return `${metrics.classes.join(' vs ')}, ${String(metrics.mode ?? 'default')} mode: ${metrics.headline ? metrics.headline.text : 'trained (no test or cross-validation estimate)'}`;
}

/** Misclassified items with a thumbnail of their copied image, for the report. */
export async function withThumbnails(items: MisclassifiedItem[], out: string): Promise<(MisclassifiedItem & { thumbnail?: string })[]> {
  const rows: (MisclassifiedItem & { thumbnail?: string })[] = [];
  for (const item of items) rows.push({ ...item, thumbnail: item.file ? await thumbnailDataUrl(join(out, item.file)) : undefined });
  return rows;
}

function perClassTable(q: PerClassQuality | undefined): string {
  if (!q) return '';
  const rows = q.classes.map((c) => `<tr><th>${escape(c.class)}</th><td>${escape(formatEstimate(c.precision))}</td><td>${escape(formatEstimate(c.recall))}</td></tr>`).join('');
  return `<h2>Precision and recall per class (${q.estimate === 'test' ? 'test set' : 'cross-validation'})</h2>
<table class="grid"><tr><th>class</th><th>precision (of those predicted as the class)</th><th>recall (of those in the class)</th></tr>${rows}</table>`;
}

function misclassifiedTable(items: ReportInput['misclassified'], classes: string[]): string {
  if (!items) return '';
  if (!items.length) return '<h2>Misclassified test images</h2><p>None.</p>';
  const scores = (s: Record<string, number>) => classes.map((k) => `${escape(k)}: ${(s[k] ?? 0).toFixed(3)}`).join('<br>');
  const body = items
    .map((r) => `<tr><td>${r.thumbnail ? `<img src="${r.thumbnail}" alt="">` : ''}<div>${escape(r.image)}</div></td><td>${escape(r.label)}</td><td class="bad">${escape(r.predicted)}</td><td>${scores(r.scores)}</td><td>${r.loss.toFixed(2)}</td></tr>`)
    .join('');
  return `<h2>Misclassified test images (worst first)</h2><table class="grid"><tr><th>image</th><th>label</th><th>predicted</th><th>scores</th><th>loss</th></tr>${body}</table>`;
}

/** An inline SVG line chart; no scripts or external assets, so the report works offline and when shared. */
function lineChart(title: string, series: { name: string; color: string; points: [number, number][] }[], yMax?: number): string {
  const [w, h, pad] = [520, 220, 36];
  const all = series.flatMap((s) => s.points);
  if (!all.length) return '';
  const xMax = Math.max(1, ...all.map((p) => p[0]));
  const top = yMax ?? Math.max(1e-9, ...all.map((p) => p[1]));
  const sx = (x: number) => pad + (x / xMax) * (w - 2 * pad);
  const sy = (y: number) => h - pad - (y / top) * (h - 2 * pad);
  const paths = series
    .filter((s) => s.points.length)
    .map((s) => `<path fill="none" stroke="${s.color}" stroke-width="2" d="${s.points.map((p, i) => `${i ? 'L' : 'M'}${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`).join('')}"/>`)
    .join('');
  const legend = series.map((s, i) => `<text x="${pad + i * 150}" y="14" fill="${s.color}" font-size="12">■ ${escape(s.name)}</text>`).join('');
  const axes = `<line x1="${pad}" y1="${h - pad}" x2="${w - pad}" y2="${h - pad}" stroke="#888"/><line x1="${pad}" y1="${pad}" x2="${pad}" y2="${h - pad}" stroke="#888"/>` +
    `<text x="${pad - 4}" y="${sy(top) + 4}" font-size="10" text-anchor="end">${+top.toFixed(2)}</text><text x="${pad - 4}" y="${h - pad + 4}" font-size="10" text-anchor="end">0</text>` +
    `<text x="${w - pad}" y="${h - pad + 16}" font-size="10" text-anchor="end">step ${xMax}</text>`;
  return `<figure><figcaption>${escape(title)}</figcaption><svg width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img">${legend}${axes}${paths}</svg></figure>`;
}

function confusionTable(c: ReportInput['confusion']): string {
  const head = `<tr><th>actual \\ predicted</th>${c.classes.map((k) => `<th>${escape(k)}</th>`).join('')}</tr>`;
  const max = Math.max(1, ...c.matrix.flat());
  const rows = c.matrix
    .map((row, i) => `<tr><th>${escape(c.classes[i])}</th>${row.map((n, j) => `<td style="background:rgba(${i === j ? '46,125,50' : '198,40,40'},${(n / max) * 0.6})">${n}</td>`).join('')}</tr>`)
    .join('');
  return `<table class="grid">${head}${rows}</table>`;
}

function beforeAfterTable(rows: BeforeAfterRow[], classes: string[]): string {
  if (!rows.length) return '<p>No test images.</p>';
  const scores = (s: Record<string, number>) => classes.map((k) => `${escape(k)}: ${s[k].toFixed(3)}`).join('<br>');
  const body = rows
    .map((r) => `<tr><td>${r.thumbnail ? `<img src="${r.thumbnail}" alt="">` : ''}<div>${escape(r.image)}</div></td><td>${escape(r.label ?? '?')}</td><td>${scores(r.before)}</td><td>${scores(r.after)}</td><td class="${r.label === undefined ? '' : r.label === r.predicted ? 'ok' : 'bad'}">${escape(r.predicted)}</td></tr>`)
    .join('');
  return `<table class="grid"><tr><th>image</th><th>label</th><th>before training</th><th>after training</th><th>prediction</th></tr>${body}</table>`;
}

/** The self-contained HTML report: headline metrics, curves, confusion matrix, before/after. */
export function renderReport(input: ReportInput): string {
  const m = input.metrics;
  const h = input.history;
  const accuracy = lineChart('Accuracy', [
    { name: 'training', color: '#1565c0', points: h.map((p) => [p.step, p.trainAccuracy]) },
    { name: 'validation', color: '#ef6c00', points: h.filter((p) => p.validationAccuracy !== undefined).map((p) => [p.step, p.validationAccuracy!]) },
  ], 1);
  const loss = lineChart('Cross-entropy', [{ name: 'training loss', color: '#6a1b9a', points: h.map((p) => [p.step, p.crossEntropy]) }]);
  const a = m.accuracy;
  const facts: [string, unknown][] = [
    ['Test accuracy', a ? formatEstimate(a.test) : `${pct(m.testAccuracy)} (${m.testCount} examples)`],
    ...(a?.crossValidation ? [[`${a.crossValidation.folds}-fold cross-validation`, formatEstimate(a.crossValidation)] as [string, unknown]] : []),
    ['Validation accuracy', a ? formatEstimate(a.validation) : pct(m.validationAccuracy)],
    ['Training accuracy', a ? formatEstimate(a.train) : pct(m.trainAccuracy)],
    ['Classes', m.classes.join(', ')],
    ['Mode', m.mode],
    ['Steps', m.steps],
    ['Backend', m.backend],
    ['Time', `${Number(m.seconds).toFixed(1)} s`],
  ];
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(input.title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em;color:#222}
table.grid{border-collapse:collapse;margin:1em 0}table.grid td,table.grid th{border:1px solid #ccc;padding:6px 10px;text-align:left;vertical-align:top}
td img{max-width:160px;display:block}.ok{color:#2e7d32;font-weight:bold}.bad{color:#c62828;font-weight:bold}figure{display:inline-block;margin:0 1em 1em 0}figcaption{font-weight:bold}.headline{font-size:1.2em}</style></head>
<body><h1>${escape(input.title)}</h1>
${m.headline && !input.title.includes(m.headline.text) ? `<p class="headline">${escape(m.headline.text)}</p>` : ''}
<table class="grid">${facts.map(([k, v]) => `<tr><th>${escape(k)}</th><td>${escape(v)}</td></tr>`).join('')}</table>
<h2>Training curves</h2>${accuracy}${loss}
<h2>Confusion matrix (test set)</h2>${confusionTable(input.confusion)}
${perClassTable(m.perClass)}
${misclassifiedTable(input.misclassified, m.classes)}
<h2>Before and after training</h2><p>Scores of the new softmax layer before training (random weights) and after, for each test image.</p>
${beforeAfterTable(input.beforeAfter, input.metrics.classes)}
</body></html>
`;
}
