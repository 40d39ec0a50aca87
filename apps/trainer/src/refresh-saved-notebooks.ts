/**
 * The second half of the stop-time save step: a run saved from the notebook's save cell carries
 * the notebook as it was last written to disk, which is mid-run (the cell runs before Jupyter
 * has the outputs of the cells after the last autosave, its own included). By the time the
 * session stops, Jupyter has saved the executed notebook (autosave, or the user's Save). This
 * sends that notebook to the run's result in place of the early copy, when it is the same
 * notebook (the same cells) and newer. The control plane accepts that one replacement on a
 * complete result, from the session that saved it. The run folder is left as it is, so the
 * run's fingerprint (saved-marker.ts) does not change and the run is not saved a second time.
 *
 * Plain Node.js built-ins only, like save-unsaved-runs.ts (the stop-time savers load this
 * without TensorFlow.js).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { SAVED_MARKER } from './saved-marker';
import { findRunFolders } from './save-unsaved-runs';

export const RUN_NOTEBOOK = 'notebook.ipynb';

export interface RefreshOptions {
  workDir: string;
  uploadUrl: string;
  token: string;
  print?: (line: string) => void;
}

export interface RefreshOutcome {
  refreshed: { folder: string; resultId: string; notebook: string }[];
  failed: { folder: string; message: string }[];
}

/** The cells' kinds and sources: what makes two copies "the same notebook" whatever their outputs. */
function cellsOf(path: string): string | null {
  try {
    const nb = JSON.parse(readFileSync(path, 'utf8'));
    if (!Array.isArray(nb?.cells)) return null;
    return JSON.stringify(nb.cells.map((c: { cell_type?: unknown; source?: unknown }) => [c.cell_type, Array.isArray(c.source) ? c.source.join('') : c.source]));
  } catch {
    return null;
  }
}

/** The workspace's notebook `copy` was taken from, when Jupyter has written it since (newer, other bytes). */
export function newerSourceNotebook(workDir: string, copy: string): string | null {
  const cells = cellsOf(copy);
  if (!cells) return null;
  const copyBytes = readFileSync(copy);
  const copyTime = statSync(copy).mtimeMs;
  const candidates = readdirSync(workDir, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ipynb') && !e.name.startsWith('.'))
    .map((e) => join(workDir, e.name))
    .filter((p) => statSync(p).mtimeMs > copyTime && cellsOf(p) === cells && !readFileSync(p).equals(copyBytes))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  return candidates[0] ?? null;
}

async function putNotebook(options: RefreshOptions, runName: string, bytes: Buffer): Promise<void> {
  const url = `${options.uploadUrl.replace(/\/$/, '')}/${encodeURIComponent(runName)}/${RUN_NOTEBOOK}`;
  const res = await fetch(url, { method: 'PUT', headers: { Authorization: `Bearer ${options.token}`, 'Content-Type': 'application/x-ipynb+json', 'Content-Length': String(bytes.length) }, body: bytes });
  const text = await res.text();
  if (!res.ok) {
    let message = text.slice(0, 300);
    try {
      message = JSON.parse(text).message ?? message;
    } catch {
      /* not JSON */
    }
    throw new Error(`HTTP ${res.status}: ${message}`);
  }
}

/** For each saved run holding a notebook copy: sends the executed notebook Jupyter saved since. Never throws for one run. */
export async function refreshSavedNotebooks(options: RefreshOptions): Promise<RefreshOutcome> {
  const print = options.print ?? ((line: string) => console.log(line));
  const outcome: RefreshOutcome = { refreshed: [], failed: [] };
  for (const dir of findRunFolders(join(options.workDir, 'results'))) {
    const folder = relative(options.workDir, dir);
    try {
      const copy = join(dir, RUN_NOTEBOOK);
      let marker: { resultId?: unknown; runName?: unknown };
      try {
        marker = JSON.parse(readFileSync(join(dir, SAVED_MARKER), 'utf8'));
        statSync(copy);
      } catch {
        continue; // not saved, or saved without a notebook
      }
      if (typeof marker.runName !== 'string' || typeof marker.resultId !== 'string') continue;
      const source = newerSourceNotebook(options.workDir, copy);
      if (!source) continue;
      await putNotebook(options, marker.runName, readFileSync(source));
      outcome.refreshed.push({ folder, resultId: marker.resultId, notebook: relative(options.workDir, source) });
      print(`saved the executed ${relative(options.workDir, source)} with ${folder} (result ${marker.resultId})`);
    } catch (error) {
      outcome.failed.push({ folder, message: (error as Error).message });
      print(`could not save the executed notebook with ${folder}: ${(error as Error).message}`);
    }
  }
  return outcome;
}
