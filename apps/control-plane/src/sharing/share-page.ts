import { resultHeadline, runDescription, tryItUnavailable, type HistoryPoint, type SharedResult } from '@trialhub/contracts';
import { escapeHtml } from './html';
import type { MisclassifiedView } from './misclassified';
import { SHARE_PAGE_STYLE } from './share-page-style';

const pct = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? `${(x * 100).toFixed(1)} %` : '–');
const bytes = (n: number) => (n < 1024 ? `${n} B` : n < 1024 ** 2 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 ** 2).toFixed(1)} MiB`);

/** The page's own script (dates in the reader's time zone, try-it), served as a file: no inline script. */
export const SHARE_SCRIPT_PATH = '/share/-/share-page.js';

/**
 * Content-Security-Policy of the share page: script only from our own file, never inline;
 * images from us or data:; fetch only to us (try-it); no frames, never framed.
 */
export const SHARE_PAGE_CSP = "default-src 'none'; script-src 'self'; connect-src 'self'; img-src 'self' data: blob:; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export interface SharePageExtras {
  /** The public URL of the page and of its preview image (OpenGraph wants absolute URLs). */
  pageUrl: string;
  previewUrl: string;
  /** Where "Train your own" leads. */
  signupUrl: string;
  misclassified: MisclassifiedView[];
  /** POST a photo here to have the result's model classify it; null when the result has no usable model. */
  predictUrl: string | null;
}

/** `<time>` in UTC for readers without script; the page script rewrites it in the reader's local time. */
const time = (iso: string) => `<time datetime="${escapeHtml(iso)}">${escapeHtml(new Date(iso).toUTCString().replace('GMT', 'UTC'))}</time>`;

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
  return `<figure><figcaption>${escapeHtml(title)}</figcaption><svg viewBox="0 0 ${w} ${h}" role="img" aria-label="${escapeHtml(title)}">${legend}${axes}${paths}</svg></figure>`;
}

function curves(history: HistoryPoint[]): string {
  const pick = (key: keyof HistoryPoint) => history.filter((p) => p[key] !== undefined).map((p) => [p.step, p[key] as number] as [number, number]);
  const accuracy = lineChart('Accuracy during training', [{ name: 'training', color: '#1d3a8a', points: pick('trainAccuracy') }, { name: 'validation', color: '#b45309', points: pick('validationAccuracy') }], 1);
  const loss = lineChart('Cross-entropy loss', [{ name: 'training loss', color: '#6b21a8', points: pick('crossEntropy') }]);
  return `<div class="charts">${accuracy}${loss}</div>`;
}

function metricsBlock(m: Record<string, unknown>): string {
  const n = (key: string) => (typeof m[key] === 'number' ? ` (${m[key]} images)` : '');
  const items: Array<[string, string]> = [
    [`Test accuracy${n('testCount')}`, pct(m.testAccuracy)],
    [`Validation accuracy${n('validationCount')}`, pct(m.validationAccuracy)],
    [`Training accuracy${n('trainCount')}`, pct(m.trainAccuracy)],
  ];
  if (typeof m.steps === 'number') items.push(['Training steps', String(m.steps)]);
  if (typeof m.seconds === 'number') items.push(['Run time', `${m.seconds.toFixed(1)} s`]);
  return `<dl class="metrics">${items.map(([k, v]) => `<div><dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd></div>`).join('')}</dl>`;
}

function confusionBlock(c: SharedResult['confusion']): string {
  if (!c) return '<p class="muted">No confusion matrix was saved with this result.</p>';
  const head = `<tr><th scope="col">actual \\ predicted</th>${c.classes.map((k) => `<th scope="col">${escapeHtml(k)}</th>`).join('')}</tr>`;
  const max = Math.max(1, ...c.matrix.flat());
  const rows = c.matrix
    .map((row, i) => `<tr><th scope="row">${escapeHtml(c.classes[i])}</th>${row.map((n, j) => `<td data-cell style="background:rgba(${i === j ? '6,118,71' : '180,35,24'},${((n / max) * 0.35).toFixed(2)})">${n}</td>`).join('')}</tr>`)
    .join('');
  return `<div class="scroll" tabindex="0" role="region" aria-label="Confusion matrix (scrolls sideways)"><table class="confusion">${head}${rows}</table></div>`;
}

const guess = (p: { label: string; confidence: number | null } | null) => (p ? `${escapeHtml(p.label)}${p.confidence === null ? '' : ` (${pct(p.confidence)})`}` : '–');

function beforeAfterBlock(rows: SharedResult['beforeAfter']): string {
  if (!rows.length) return '<p class="muted">No before/after comparison was saved with this result.</p>';
  const body = rows
    .map((r) => {
      const verdict = r.label && r.after ? (r.label === r.after.label ? 'ok' : 'bad') : '';
      const img = r.imageUrl ? `<img class="thumb" alt="" src="${escapeHtml(r.imageUrl)}">` : '';
      return `<tr><td>${img}${escapeHtml(r.image)}</td><td>${escapeHtml(r.label ?? '?')}</td><td>${guess(r.before)}</td><td class="${verdict}">${guess(r.after)}</td></tr>`;
    })
    .join('');
  return `<div class="scroll" tabindex="0" role="region" aria-label="Before and after training (scrolls sideways)"><table class="before-after"><thead><tr><th scope="col">test image</th><th scope="col">actual</th><th scope="col">before training</th><th scope="col">after training</th></tr></thead><tbody>${body}</tbody></table></div>`;
}

function misclassifiedBlock(rows: MisclassifiedView[]): string {
  if (!rows.length) return '';
  const items = rows
    .slice(0, 24)
    .map((r) => {
      const img = r.imageUrl ? `<img alt="" src="${escapeHtml(r.imageUrl)}">` : '';
      const score = r.scores[r.predicted];
      return `<li>${img}<span><strong>${escapeHtml(r.image)}</strong><br>actually ${escapeHtml(r.label)}, predicted ${escapeHtml(r.predicted)}${typeof score === 'number' ? ` (${pct(score)})` : ''}</span></li>`;
    })
    .join('');
  return `<section aria-labelledby="wrong-title"><h2 id="wrong-title">Misclassified test images</h2><p class="muted">The test images the model got wrong, the most confidently wrong first.</p><ul class="wrong">${items}</ul></section>`;
}

function tryItBlock(predictUrl: string | null, classes: string[], unavailable: string | null): string {
  if (!predictUrl) return unavailable ? `<section id="try-it" aria-labelledby="try-title"><h2 id="try-title">Try it on your own photo</h2><p class="muted" data-try-it-unavailable>${escapeHtml(unavailable)}</p></section>` : '';
  return `<section id="try-it" aria-labelledby="try-title" data-predict-url="${escapeHtml(predictUrl)}">
<h2 id="try-title">Try it on your own photo</h2>
<p class="muted">Drop a JPEG or PNG here, or choose one: this model says which of ${escapeHtml(classes.join(', ') || 'its classes')} it sees, and how sure it is. The photo is not kept.</p>
<label class="drop" for="try-file"><span>Drop a photo here, or <u>choose one</u></span><input id="try-file" type="file" accept="image/jpeg,image/png,image/webp"></label>
<div id="try-result" class="try-result" role="status" aria-live="polite"></div>
</section>`;
}

/** The public, read-only page of a shared result. `notebookHtml` is already made safe by notebookToHtml. */
export function renderSharePage(shared: SharedResult, notebookHtml: Array<{ name: string; html: string }>, extras: SharePageExtras): string {
  const m = (shared.metrics ?? {}) as Record<string, unknown>;
  const headline = resultHeadline(shared.metrics);
  const classes = Array.isArray(m.classes) ? m.classes.map(String) : [];
  const description = runDescription(shared.metrics);
  const headlineText = headline ? headline.text : 'No test estimate was saved with this result.';
  const summary = [
    classes.length ? `An image classifier that tells ${classes.map(escapeHtml).join(' from ')}` : 'An image classifier',
    `trained on Trialhub with transfer learning${typeof m.mode === 'string' ? ` (${escapeHtml(m.mode)} mode${typeof m.backend === 'string' ? `, ${escapeHtml(m.backend)} backend` : ''})` : ''}.`,
  ].join(', ');
  const previewText = [headline?.short, description].filter(Boolean).join(' · ') || 'A model trained on Trialhub';
  const expiry = shared.expiresAt ? ` This link works until ${time(shared.expiresAt)}.` : '';
  const files = shared.artifacts.map((a) => `<li><a href="${escapeHtml(a.url)}">${escapeHtml(a.name)}</a> <span class="muted">${bytes(a.size)}</span></li>`).join('');
  const history = shared.history.length ? curves(shared.history) : '<p class="muted">No training history was saved with this result.</p>';
  const notebooks = notebookHtml
    .map((n) => `<details class="notebook"><summary>Notebook: ${escapeHtml(n.name)} (the code and its outputs, as run)</summary>${n.html}</details>`)
    .join('');
  const meta = [
    ['og:type', 'website'], ['og:site_name', 'Trialhub'], ['og:title', shared.title], ['og:description', previewText], ['og:url', extras.pageUrl],
    ['og:image', extras.previewUrl], ['og:image:width', '1200'], ['og:image:height', '630'], ['og:image:alt', `${shared.title}: ${previewText}`],
  ].map(([p, c]) => `<meta property="${p}" content="${escapeHtml(c)}">`);
  const twitter = [['twitter:card', 'summary_large_image'], ['twitter:title', shared.title], ['twitter:description', previewText], ['twitter:image', extras.previewUrl]].map(([n, c]) => `<meta name="${n}" content="${escapeHtml(c)}">`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex, nofollow"><meta name="referrer" content="no-referrer">
<title>${escapeHtml(shared.title)} · Trialhub</title>
<meta name="description" content="${escapeHtml(previewText)}">
${meta.join('\n')}
${twitter.join('\n')}
<style>${SHARE_PAGE_STYLE}</style><script src="${SHARE_SCRIPT_PATH}" defer></script></head>
<body>
<header class="topbar"><a class="brand" href="/">Trialhub</a><a class="btn" href="${escapeHtml(extras.signupUrl)}">Train your own in a free 24-hour trial</a></header>
<main>
<section class="hero" aria-labelledby="title">
<h1 id="title">${escapeHtml(shared.title)}</h1>
<p class="headline" data-headline>${escapeHtml(headlineText)}</p>
<p>${summary}</p>
<p class="muted">Saved ${time(shared.createdAt)}.${expiry}</p>
${metricsBlock(m)}
</section>
${tryItBlock(extras.predictUrl, classes, tryItUnavailable(shared.artifacts.map((a) => a.name), shared.metrics))}
<section aria-labelledby="curves-title"><h2 id="curves-title">Training curves</h2>${history}</section>
<section aria-labelledby="confusion-title"><h2 id="confusion-title">Confusion matrix</h2>${confusionBlock(shared.confusion)}</section>
<section aria-labelledby="ba-title"><h2 id="ba-title">Before and after training</h2>${beforeAfterBlock(shared.beforeAfter)}</section>
${misclassifiedBlock(extras.misclassified)}
${notebooks ? `<section aria-labelledby="nb-title"><h2 id="nb-title">Notebook</h2>${notebooks}</section>` : ''}
<section aria-labelledby="files-title"><h2 id="files-title">Downloads</h2><p><a class="btn" href="${escapeHtml(shared.downloadUrl)}">Download everything (zip)</a></p>
<details><summary>Every file (${shared.artifacts.length})</summary><ul class="files">${files}</ul></details></section>
<section class="cta"><h2>Train your own</h2><p>Bring a few dozen photos in folders, one per class, and train a classifier like this one in minutes, on a GPU notebook.</p><p><a class="btn" href="${escapeHtml(extras.signupUrl)}">Train your own in a free 24-hour trial</a></p></section>
</main>
<footer>Shared read-only from Trialhub.</footer>
</body></html>`;
}

/** The page for revoked, expired and unknown links: in the same look, and the same for all three. */
export function renderShareNotFound(signupUrl = '/signup'): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex, nofollow"><title>Link not found · Trialhub</title><style>${SHARE_PAGE_STYLE}</style></head>
<body><header class="topbar"><a class="brand" href="/">Trialhub</a></header>
<main><section class="hero"><h1>This link does not work</h1><p>The shared result does not exist, or its link was revoked or has expired. Ask the person who sent it for a new link.</p>
<p><a class="btn" href="${escapeHtml(signupUrl)}">Train your own in a free 24-hour trial</a></p></section></main></body></html>`;
}
