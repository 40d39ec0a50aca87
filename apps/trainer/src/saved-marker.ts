/**
 * The one record of "this run was saved to Trialhub": a small JSON file, `.trialhub-saved`,
 * in the run's own folder, written by `uploadResults` whoever calls it (the notebook's save
 * cell, the CLI's --upload, the local runtime's save step, the pod's preStop hook
 * `trialhub-save`). It names the result and holds a fingerprint of the files that were
 * uploaded, so every saver can tell "saved already" from "retrained since" in the same folder.
 * The marker itself is never uploaded and never part of the fingerprint.
 *
 * Plain Node.js built-ins only: the stop-time savers load this without TensorFlow.js.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

export const SAVED_MARKER = '.trialhub-saved';
const MARKER_PART = `${SAVED_MARKER}.part`;
const FORMAT = 1;

export interface SavedMarker {
  format: typeof FORMAT;
  resultId: string;
  /** The result's page, as the control plane answered it. */
  url: string;
  runName: string;
  /** `sha256:<hex>` of the uploaded files' names, sizes and contents (see `fingerprintRun`). */
  fingerprint: string;
  files: number;
  savedAt: string;
}

/** A marker written before the fingerprint existed: only the URL, one line of text. */
export interface LegacySavedMarker {
  format: 0;
  url: string;
  /** When it was written: a metrics.json newer than this means the run was retrained since. */
  savedAt: string;
}

export type SavedState =
  | { state: 'unsaved'; fingerprint: string }
  | { state: 'saved'; fingerprint: string; marker: SavedMarker | LegacySavedMarker }
  | { state: 'changed'; fingerprint: string; marker: SavedMarker | LegacySavedMarker };

/** True for the marker and its temporary file: never uploaded, never fingerprinted. */
export const isMarkerFile = (relativePath: string) => relativePath === SAVED_MARKER || relativePath === MARKER_PART;

/** Every file under `dir` (relative, `/`-separated, sorted), the marker excepted: what an upload sends. */
export async function listRunFiles(dir: string, root = dir): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listRunFiles(path, root)));
    else if (entry.isFile()) {
      const rel = relative(root, path).split(sep).join('/');
      if (!isMarkerFile(rel)) out.push(rel);
    }
  }
  return out.sort();
}

function sha256OfFile(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/**
 * `sha256:<hex>` over each file's name, size and SHA-256, in name order: a retrained run
 * (a new metrics.json, new weights) or any file added or changed gives another fingerprint.
 */
export async function fingerprintRun(dir: string, files?: string[]): Promise<string> {
  const names = files ?? (await listRunFiles(dir));
  const all = createHash('sha256');
  for (const name of names) {
    const path = join(dir, name);
    all.update(`${name}\0${statSync(path).size}\0${await sha256OfFile(path)}\n`);
  }
  return `sha256:${all.digest('hex')}`;
}

/** The run's marker, or null when there is none (or it is unreadable: the run then counts as not saved). */
export function readSavedMarker(dir: string): SavedMarker | LegacySavedMarker | null {
  const path = join(dir, SAVED_MARKER);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  try {
    const m = JSON.parse(text) as Partial<SavedMarker>;
    if (m && m.format === FORMAT && typeof m.resultId === 'string' && typeof m.url === 'string' && typeof m.fingerprint === 'string') return m as SavedMarker;
    return null;
  } catch {
    // The local runtime's first save step wrote the URL as plain text.
    const url = text.trim();
    return /^https?:\/\/\S+$/.test(url) ? { format: 0, url, savedAt: statSync(path).mtime.toISOString() } : null;
  }
}

/** Writes the marker atomically (a reader sees the old one or the new one, never half of one). */
export function writeSavedMarker(dir: string, marker: Omit<SavedMarker, 'format'>): SavedMarker {
  const full: SavedMarker = { format: FORMAT, ...marker };
  writeFileSync(join(dir, MARKER_PART), JSON.stringify(full, null, 2) + '\n');
  renameSync(join(dir, MARKER_PART), join(dir, SAVED_MARKER));
  return full;
}

/** Saved with exactly these files, saved but changed since (retrained), or never saved. */
export async function savedState(dir: string): Promise<SavedState> {
  const fingerprint = await fingerprintRun(dir);
  const marker = readSavedMarker(dir);
  if (!marker) return { state: 'unsaved', fingerprint };
  const same =
    marker.format === FORMAT
      ? marker.fingerprint === fingerprint
      : !existsSync(join(dir, 'metrics.json')) || statSync(join(dir, 'metrics.json')).mtimeMs <= Date.parse(marker.savedAt);
  return { state: same ? 'saved' : 'changed', fingerprint, marker };
}
