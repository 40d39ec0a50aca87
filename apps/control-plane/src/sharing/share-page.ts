import type { HistoryPoint, SharedResult } from '@trialhub/contracts';
import { escapeHtml } from './html';

const pct = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? `${(x * 100).toFixed(1)} %` : '–');
const bytes = (n: number) => (n < 1024 ? `${n} B` : n < 1024 ** 2 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 ** 2).toFixed(1)} MiB`);

const STYLE = `
body{font:15px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1d2433;background:#f6f7fb}
main{max-width:960px;margin:0 auto;padding:24px}
header p{color:#5b6478;margin:4px 0 0}
section{background:#fff;border:1px solid #e2e5ee;border-radius:8px;padding:16px 20px;margin:16px 0}
h1{margin:0;font-size:26px} h2{font-size:18px;margin:0 0 12px}
dl.metrics{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:12px;margin:0}
dl.metrics div{background:#f2f4fa;border-radius:6px;padding:8px 12px} dt{color:#5b6478;font-size:13px} dd{margin:0;font-size:20px;font-weight:600}
table{border-collapse:collapse} th,td{border:1px solid #e2e5ee;padding:4px 8px;text-align:left;vertical-align:top}
td.ok{color:#2e7d32} td.bad{color:#c62828} img.thumb{max-width:120px;max-height:90px;display:block}
.muted{color:#5b6478} ul.files{padding-left:18px} a{color:#2450b2}
.notebook .cell{margin:10px 0} .notebook pre{background:#f6f8fa;padding:8px;overflow:auto;margin:4px 0;white-space:pre-wrap}
.notebook .prompt{color:#5b6478;font:12px monospace} .notebook pre.stderr{background:#fdecea} .notebook img{max-width:100%}
iframe.report{width:100%;height:720px;border:1px solid #e2e5ee;border-radius:6px;background:#fff}
footer{color:#5b6478;font-size:13px;margin:24px 0}
`;

/** Content-Security-Policy of the share page: no script at all, images only from us or data:, frames only ours (sandboxed). */
export const SHARE_PAGE_CSP = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; frame-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

function lineChart(title: string, series: Array<{ name: string; color: string; points: Array<[number, number]> }>, yMax?: number): string {
  const [w, h, pad] = [560, 220, 40];
  const all = series.flatMap((s) => s.points);
  if (!all.length) return '';
  const xMax = Math.max(1, ...all.map((p) => p[0]));
  const top = yMax ?? Math.max(1e-9, ...all.map((p) => p[1]));
  const sx = (x: number) => pad + (x / xMax) * (w - 2 * pad);
  const sy = (y: number) => h - pad - (Math.min(y, top) / top) * (h - 2 * pad);
  const paths = series
    .filter((s) => s.points.length)
    .map((s) => `<path data-series="${escapeHtml(s.name)}" fill="none" stroke="${s.color}" stroke-width="2" d="${s.points.map((p, i) => `${i ? 'L' : 'M'}${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`).join('')}"/>`)
    .join('');
  const legend = series.map((s, i) => `<text x="${pad + i * 170}" y="14" fill="${s.color}" font-size="12">■ ${escapeHtml(s.name)}</text>`).join('');
  const axes =
    `<line x1="${pad}" y1="${h - pad}" x2="${w - pad}" y2="${h - pad}" stroke="#888"/><line x1="${pad}" y1="${pad}" x2="${pad}" y2="${h - pad}" stroke="#888"/>` +
    `<text x="${pad - 4}" y="${sy(top) + 4}" font-size="10" text-anchor="end">${+top.toFixed(2)}</text><text x="${pad - 4}" y="${h - pad + 4}" font-size="10" text-anchor="end">0</text>` +
    `<text x="${w - pad}" y="${h - pad + 16}" font-size="10" text-anchor="end">step ${xMax}</text>`;
  return `<figure><figcaption>${escapeHtml(title)}</figcaption><svg width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-label="${escapeHtml(title)}">${legend}${axes}${paths}</svg></figure>`;
}

function curves(history: HistoryPoint[]): string {
  const pick = (key: keyof HistoryPoint) => history.filter((p) => p[key] !== undefined).map((p) => [p.step, p[key] as number] as [number, number]);
  const accuracy = lineChart('Accuracy during training', [{ name: 'training', color: '#2450b2', points: pick('trainAccuracy') }, { name: 'validation', color: '#e07a00', points: pick('validationAccuracy') }], 1);
  const loss = lineChart('Cross-entropy loss', [{ name: 'training loss', color: '#7b1fa2', points: pick('crossEntropy') }]);
  return accuracy + loss;
}

function metricsBlock(m: Record<string, unknown> | null): string {
  if (!m) return '<p class="muted">No metrics were saved with this result.</p>';
  const items: Array<[string, string]> = [
    ['Test accuracy', pct(m.testAccuracy)],
    ['Validation accuracy', pct(m.validationAccuracy)],
    ['Training accuracy', pct(m.trainAccuracy)],
    ['Test images', typeof m.testCount === 'number' ? String(m.testCount) : '–'],
  ];
  if (typeof m.steps === 'number') items.push(['Training steps', String(m.steps)]);
  if (typeof m.seconds === 'number') items.push(['Run time', `${m.seconds.toFixed(1)} s`]);
  const classes = Array.isArray(m.classes) ? m.classes.map(String) : [];
  const detail = [classes.length ? `Classes: ${classes.map(escapeHtml).join(', ')}` : '', typeof m.mode === 'string' ? `mode ${escapeHtml(m.mode)}` : '', typeof m.backend === 'string' ? `backend ${escapeHtml(m.backend)}` : '']
    .filter(Boolean)
    .join(' · ');
  return `<dl class="metrics">${items.map(([k, v]) => `<div><dt>${k}</dt><dd>${escapeHtml(v)}</dd></div>`).join('')}</dl>${detail ? `<p class="muted">${detail}</p>` : ''}`;
}

function confusionBlock(c: SharedResult['confusion']): string {
  if (!c) return '<p class="muted">No confusion matrix was saved with this result.</p>';
  const head = `<tr><th>actual \\ predicted</th>${c.classes.map((k) => `<th>${escapeHtml(k)}</th>`).join('')}</tr>`;
  const max = Math.max(1, ...c.matrix.flat());
  const rows = c.matrix
    .map((row, i) => `<tr><th>${escapeHtml(c.classes[i])}</th>${row.map((n, j) => `<td data-cell style="background:rgba(${i === j ? '46,125,50' : '198,40,40'},${((n / max) * 0.5).toFixed(2)})">${n}</td>`).join('')}</tr>`)
    .join('');
  return `<table class="confusion">${head}${rows}</table>`;
}

function beforeAfterBlock(rows: SharedResult['beforeAfter']): string {
  if (!rows.length) return '<p class="muted">No before/after comparison was saved with this result.</p>';
  const guess = (p: { label: string; confidence: number | null } | null) => (p ? `${escapeHtml(p.label)}${p.confidence === null ? '' : ` (${pct(p.confidence)})`}` : '–');
  const body = rows
    .map((r) => {
      const verdict = r.label && r.after ? (r.label === r.after.label ? 'ok' : 'bad') : '';
      const img = r.imageUrl ? `<img class="thumb" alt="" src="${escapeHtml(r.imageUrl)}">` : '';
      return `<tr><td>${img}${escapeHtml(r.image)}</td><td>${escapeHtml(r.label ?? '?')}</td><td>${guess(r.before)}</td><td class="${verdict}">${guess(r.after)}</td></tr>`;
    })
    .join('');
  return `<table class="before-after"><thead><tr><th>test image</th><th>actual</th><th>before training</th><th>after training</th></tr></thead><tbody>${body}</tbody></table>`;
}

/** The public, read-only, self-contained page of a shared result. `notebookHtml` is already made safe by notebookToHtml. */
export function renderSharePage(shared: SharedResult, notebookHtml: Array<{ name: string; html: string }>): string {
  const expiry = shared.expiresAt ? `This link works until ${escapeHtml(new Date(shared.expiresAt).toUTCString())}.` : '';
  const files = shared.artifacts.map((a) => `<li><a href="${escapeHtml(a.url)}">${escapeHtml(a.name)}</a> <span class="muted">${bytes(a.size)}</span></li>`).join('');
  const history = shared.history.length ? curves(shared.history) : '<p class="muted">No training history was saved with this result.</p>';
  const notebooks = notebookHtml.map((n) => `<section><h2>Notebook: ${escapeHtml(n.name)}</h2>${n.html}</section>`).join('');
  const report = shared.report
    ? `<section><h2>Training report</h2><iframe class="report" sandbox="" referrerpolicy="no-referrer" title="Training report" src="${escapeHtml(shared.report.frameUrl)}"></iframe></section>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex, nofollow"><meta name="referrer" content="no-referrer">
<title>${escapeHtml(shared.title)} · Trialhub</title><style>${STYLE}</style></head>
<body><main>
<header><h1>${escapeHtml(shared.title)}</h1><p>A model trained on Trialhub, saved ${escapeHtml(new Date(shared.createdAt).toUTCString())}. ${expiry}</p></header>
<section><h2>Metrics</h2>${metricsBlock(shared.metrics)}</section>
<section><h2>Training curves</h2>${history}</section>
<section><h2>Confusion matrix</h2>${confusionBlock(shared.confusion)}</section>
<section><h2>Before and after training</h2>${beforeAfterBlock(shared.beforeAfter)}</section>
${report}
${notebooks}
<section><h2>Files</h2><p><a href="${escapeHtml(shared.downloadUrl)}">Download everything (zip)</a></p><ul class="files">${files}</ul></section>
<footer>Shared read-only from Trialhub.</footer>
</main></body></html>`;
}

/** The page for revoked, expired and unknown links: plain, and the same for all three. */
export function renderShareNotFound(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex, nofollow"><title>Link not found · Trialhub</title><style>${STYLE}</style></head>
<body><main><section><h1>This link does not work</h1><p>The shared result does not exist, or its link was revoked or has expired. Ask the person who sent it for a new link.</p></section></main></body></html>`;
}

