import { resultHeadline, runDescription } from '@trialhub/contracts';
import { escapeHtml } from './html';

const CACHE_ENTRIES = 64;
const cache = new Map<string, Buffer>();

/** Breaks `text` into at most `lines` lines of about `width` characters (the SVG has no text wrapping). */
function wrap(text: string, width: number, lines: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if ((line + ' ' + word).trim().length > width && line) {
      out.push(line);
      line = word;
    } else line = (line + ' ' + word).trim();
  }
  if (line) out.push(line);
  if (out.length > lines) {
    out.length = lines;
    out[lines - 1] = out[lines - 1].slice(0, width - 1) + '…';
  }
  return out;
}

/** The link preview's picture (1200x630, OpenGraph's size): the title, the honest headline and what the run was, in the portal's colours. */
export function previewSvg(title: string, metrics: unknown): string {
  const headline = resultHeadline(metrics);
  const titleLines = wrap(title, 34, 2);
  const detail = wrap(headline ? headline.text : 'A model trained on Trialhub', 52, 2);
  const what = runDescription(metrics);
  const t = (lines: string[], y: number, size: number, weight: number, color: string, step: number) =>
    lines.map((l, i) => `<text x="80" y="${y + i * step}" font-size="${size}" font-weight="${weight}" fill="${color}">${escapeHtml(l)}</text>`).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="630" viewBox="0 0 1200 630" font-family="DejaVu Sans, Arial, sans-serif">
<rect width="1200" height="630" fill="#f4f6fb"/><rect x="0" y="0" width="1200" height="14" fill="#1d3a8a"/>
<text x="80" y="110" font-size="40" font-weight="700" fill="#1d3a8a">Trialhub</text>
${t(titleLines, 220, 60, 700, '#0f172a', 72)}
${t(detail, 390, 38, 600, '#1d3a8a', 50)}
${what ? t(wrap(what, 60, 1), 520, 30, 400, '#475569', 36) : ''}
<text x="80" y="585" font-size="28" fill="#475569">Try it on your own photo · Train your own in a free 24-hour trial</text>
</svg>`;
}

/** The preview as PNG (sharp renders the SVG), cached per result version. */
export async function previewPng(key: string, title: string, metrics: unknown): Promise<Buffer> {
  const cached = cache.get(key);
  if (cached) return cached;
  const { default: sharp } = await import('sharp');
  const png = await sharp(Buffer.from(previewSvg(title, metrics))).png({ compressionLevel: 9 }).toBuffer();
  if (cache.size >= CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
  cache.set(key, png);
  return png;
}
