import { escapeHtml } from './html';

/**
 * Renders a Jupyter notebook (nbformat 4) as inert HTML: every piece of text is escaped,
 * markdown is a small safe subset, outputs are text or PNG/JPEG images as data: URIs.
 * HTML and JavaScript outputs are never passed through, so nothing from the notebook runs.
 */
const MAX_CELLS = 2000;
const MAX_TEXT = 200_000;
const BASE64 = /^[A-Za-z0-9+/=\s]+$/;

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | null => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : null);
const text = (v: unknown): string => (Array.isArray(v) ? v.filter((s) => typeof s === 'string').join('') : typeof v === 'string' ? v : '');
const clip = (s: string) => (s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT)}\n… (cut: ${s.length - MAX_TEXT} more characters)` : s);
// Terminal colour codes in tracebacks.
const stripAnsi = (s: string) => s.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');

/** Inline markdown on already-escaped text: code, bold, italics, http(s) links. */
function inline(escaped: string): string {
  return escaped
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/(^|[^*])\*([^*\s][^*]*)\*/g, '$1<em>$2</em>')
    .replace(/\[([^\]]+)\]\((https?:\/\/[^\s)"']+)\)/g, '<a href="$2" rel="nofollow noopener noreferrer" target="_blank">$1</a>');
}

/** A safe subset of markdown: headings, paragraphs, lists, fenced code, inline code, emphasis, links. */
export function markdownToHtml(source: string): string {
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  const out: string[] = [];
  let paragraph: string[] = [];
  let list: string[] = [];
  const flush = () => {
    if (paragraph.length) out.push(`<p>${inline(escapeHtml(paragraph.join(' ')))}</p>`);
    if (list.length) out.push(`<ul>${list.map((item) => `<li>${inline(escapeHtml(item))}</li>`).join('')}</ul>`);
    paragraph = [];
    list = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/^\s*```/.test(line)) {
      flush();
      const code: string[] = [];
      for (i++; i < lines.length && !/^\s*```/.test(lines[i]); i++) code.push(lines[i]);
      out.push(`<pre><code>${escapeHtml(code.join('\n'))}</code></pre>`);
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    const item = /^\s*(?:[-*+]|\d+\.)\s+(.*)$/.exec(line);
    if (heading) {
      flush();
      const level = Math.min(6, heading[1].length + 1);
      out.push(`<h${level}>${inline(escapeHtml(heading[2]))}</h${level}>`);
    } else if (item) {
      if (paragraph.length) flush();
      list.push(item[1]);
    } else if (!line.trim()) flush();
    else {
      if (list.length) flush();
      paragraph.push(line.trim());
    }
  }
  flush();
  return out.join('\n');
}

function image(type: 'image/png' | 'image/jpeg', data: unknown): string | null {
  const b64 = text(data).replace(/\s+/g, '');
  if (!b64 || !BASE64.test(b64)) return null;
  return `<img alt="output image" src="data:${type};base64,${b64}">`;
}

function renderOutput(output: Json): string {
  switch (output.output_type) {
    case 'stream':
      return `<pre class="out${output.name === 'stderr' ? ' stderr' : ''}">${escapeHtml(clip(stripAnsi(text(output.text))))}</pre>`;
    case 'error':
      return `<pre class="out stderr">${escapeHtml(clip(stripAnsi([`${text(output.ename)}: ${text(output.evalue)}`, ...(Array.isArray(output.traceback) ? output.traceback.map(text) : [])].join('\n'))))}</pre>`;
    case 'execute_result':
    case 'display_data': {
      const data = obj(output.data) ?? {};
      const img = (data['image/png'] && image('image/png', data['image/png'])) || (data['image/jpeg'] && image('image/jpeg', data['image/jpeg']));
      if (img) return `<div class="out">${img}</div>`;
      if (data['text/plain'] !== undefined) return `<pre class="out">${escapeHtml(clip(text(data['text/plain'])))}</pre>`;
      if (Object.keys(data).length) return `<p class="out muted">(${escapeHtml(Object.keys(data).join(', '))} output is not shown here)</p>`;
      return '';
    }
    default:
      return '';
  }
}

/** The notebook as HTML, or a short explanation when the file is not a notebook this can show. */
export function notebookToHtml(raw: unknown): string {
  const nb = obj(raw);
  if (!nb || !Array.isArray(nb.cells)) return '<p class="muted">This notebook cannot be shown (it is not in the nbformat 4 layout); download it instead.</p>';
  const language = text(obj(obj(nb.metadata)?.kernelspec)?.language) || text(obj(obj(nb.metadata)?.language_info)?.name);
  const cells = nb.cells.slice(0, MAX_CELLS).map((value) => {
    const cell = obj(value);
    if (!cell) return '';
    const source = clip(text(cell.source));
    if (cell.cell_type === 'markdown') return `<div class="cell md">${markdownToHtml(source)}</div>`;
    if (cell.cell_type === 'code') {
      const count = typeof cell.execution_count === 'number' ? String(cell.execution_count) : ' ';
      const outputs = Array.isArray(cell.outputs) ? cell.outputs.map((o) => (obj(o) ? renderOutput(obj(o)!) : '')).join('') : '';
      return `<div class="cell code"><div class="prompt">[${escapeHtml(count)}]</div><pre class="in">${escapeHtml(source)}</pre>${outputs}</div>`;
    }
    return `<div class="cell raw"><pre>${escapeHtml(source)}</pre></div>`;
  });
  const more = nb.cells.length > MAX_CELLS ? `<p class="muted">… ${nb.cells.length - MAX_CELLS} more cells; download the notebook to see them.</p>` : '';
  return `<div class="notebook"${language ? ` data-language="${escapeHtml(language)}"` : ''}>${cells.join('\n')}${more}</div>`;
}
