/** One misclassified test image, as the share page shows it. */
export interface MisclassifiedRow {
  image: string;
  label: string;
  predicted: string;
  scores: Record<string, number>;
  /** The image inside the result (`misclassified/<class>/<name>`), when the trainer kept it. */
  file: string | null;
}

/** As the page shows it: with the URL of its image under the share link. */
export type MisclassifiedView = MisclassifiedRow & { imageUrl: string | null };

const MAX_ROWS = 200;
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/**
 * The trainer's `misclassified.json` (a list, worst first), read defensively: anything
 * malformed is left out; `file` only when it is a plain relative path.
 */
export function readMisclassifiedRows(raw: unknown): MisclassifiedRow[] {
  if (!Array.isArray(raw)) return [];
  const rows: MisclassifiedRow[] = [];
  for (const item of raw.slice(0, MAX_ROWS)) {
    if (typeof item !== 'object' || item === null) continue;
    const o = item as Record<string, unknown>;
    const [image, label, predicted] = [str(o.image), str(o.label), str(o.predicted)];
    if (!image || !label || !predicted) continue;
    const scores = typeof o.scores === 'object' && o.scores !== null ? Object.fromEntries(Object.entries(o.scores).filter((e): e is [string, number] => typeof e[1] === 'number' && Number.isFinite(e[1]))) : {};
    const file = str(o.file);
    const safe = file && !file.startsWith('/') && !file.split('/').some((p) => p === '..' || p === '' || p === '.') ? file : null;
    rows.push({ image, label, predicted, scores, file: safe });
  }
  return rows;
}
