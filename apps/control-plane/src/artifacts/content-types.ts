/** What the extension of a file promises, and how to check that the bytes keep the promise. */
export type ContentCheck = 'png' | 'jpeg' | 'gif' | 'webp' | 'json' | 'text' | 'any';

interface ContentKind {
  type: string;
  check: ContentCheck;
  /** Shown in the browser (with nosniff); everything else is a download. */
  inline: boolean;
}

const KINDS: Record<string, ContentKind> = {
  png: { type: 'image/png', check: 'png', inline: true },
  jpg: { type: 'image/jpeg', check: 'jpeg', inline: true },
  jpeg: { type: 'image/jpeg', check: 'jpeg', inline: true },
  gif: { type: 'image/gif', check: 'gif', inline: true },
  webp: { type: 'image/webp', check: 'webp', inline: true },
  json: { type: 'application/json', check: 'json', inline: true },
  // A notebook can carry script outputs: never shown as a page on our origin.
  ipynb: { type: 'application/x-ipynb+json', check: 'json', inline: false },
  txt: { type: 'text/plain; charset=utf-8', check: 'text', inline: true },
  log: { type: 'text/plain; charset=utf-8', check: 'text', inline: true },
  md: { type: 'text/markdown; charset=utf-8', check: 'text', inline: false },
  csv: { type: 'text/csv; charset=utf-8', check: 'text', inline: false },
  py: { type: 'text/x-python; charset=utf-8', check: 'text', inline: false },
  ts: { type: 'text/plain; charset=utf-8', check: 'text', inline: true },
  // Active content: stored, but only ever downloaded or shown in the sandboxed share frame.
  html: { type: 'text/html; charset=utf-8', check: 'text', inline: false },
  htm: { type: 'text/html; charset=utf-8', check: 'text', inline: false },
  svg: { type: 'image/svg+xml', check: 'text', inline: false },
};

const BINARY: ContentKind = { type: 'application/octet-stream', check: 'any', inline: false };

export function contentKindFor(fileName: string): ContentKind {
  const dot = fileName.lastIndexOf('.');
  const ext = dot > fileName.lastIndexOf('/') ? fileName.slice(dot + 1).toLowerCase() : '';
  return KINDS[ext] ?? BINARY;
}

const essence = (type: string) => type.split(';')[0].trim().toLowerCase();
const isJsonType = (t: string) => t === 'application/json' || t.endsWith('+json');
const isGeneric = (t: string) => t === '' || t === 'application/octet-stream' || t === 'binary/octet-stream';

/** Whether the client's Content-Type agrees with the extension (generic types always do). */
export function declaredTypeMatches(declared: string | undefined, kind: ContentKind): boolean {
  const d = essence(declared ?? '');
  const k = essence(kind.type);
  if (isGeneric(d) || d === k) return true;
  if (isJsonType(d) && isJsonType(k)) return true;
  if (kind.check === 'text' && d.startsWith('text/')) return true;
  return false;
}

const startsWith = (head: Buffer, bytes: number[], offset = 0) => head.length >= offset + bytes.length && bytes.every((b, i) => head[offset + i] === b);

const looksBinary = (head: Buffer) => head.includes(0);

/**
 * Checks the file's bytes against what its extension promises. `head` is the first bytes;
 * `whole` the complete content when it was small enough to keep (JSON is parsed from it).
 * Returns a reason a person can act on, or null when the content fits.
 */
export function contentMismatch(fileName: string, kind: ContentKind, head: Buffer, whole: Buffer | null): string | null {
  const says = (what: string) => `${fileName} does not look like ${what}: its first bytes do not match. Upload it with an extension that matches its content.`;
  switch (kind.check) {
    case 'png':
      return startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) ? null : says('a PNG image');
    case 'jpeg':
      return startsWith(head, [0xff, 0xd8, 0xff]) ? null : says('a JPEG image');
    case 'gif':
      return head.subarray(0, 6).toString('latin1').match(/^GIF8[79]a$/) ? null : says('a GIF image');
    case 'webp':
      return head.subarray(0, 4).toString('latin1') === 'RIFF' && head.subarray(8, 12).toString('latin1') === 'WEBP' ? null : says('a WebP image');
    case 'json': {
      if (whole) {
        try {
          JSON.parse(whole.toString('utf8').replace(/^\uFEFF/, ''));
          return null;
        } catch (err) {
          return `${fileName} is not valid JSON (${(err as Error).message}).`;
        }
      }
      // Too large to keep in memory: the start must at least be JSON text.
      return /^\uFEFF?\s*[[{]/.test(head.toString('utf8')) ? null : `${fileName} is not valid JSON: it does not start with "{" or "[".`;
    }
    case 'text':
      return looksBinary(head) ? `${fileName} should be text but contains binary data (NUL bytes).` : null;
    case 'any':
      return null;
  }
}
