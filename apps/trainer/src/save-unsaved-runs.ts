/**
 * What a session does when it stops: every finished trainer run in the working folder that
 * was not saved yet (or was retrained since it was saved) is uploaded. One implementation for
 * both runtimes: the local runtime's save step and the notebook image's preStop hook
 * (`deploy/images/notebook/bin/trialhub-save`) load this compiled file
 * (`dist/apps/trainer/src/save-unsaved-runs.js`). Plain Node.js, no TensorFlow.js.
 */
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { isMarkerFile, savedState } from './saved-marker';
import { uploadResults } from './upload';
import { resultTitle } from './report';

export interface SaveUnsavedRunsOptions {
  /** The workspace (`/data` of a pod); runs are looked for under `<workDir>/results`. */
  workDir: string;
  uploadUrl: string;
  token: string;
  print?: (line: string) => void;
}

export interface SaveUnsavedRunsOutcome {
  /** Run folders found (relative to workDir). */
  runs: string[];
  saved: { folder: string; runName: string; resultId: string; url: string; files: number }[];
  alreadySaved: string[];
  failed: { folder: string; message: string }[];
}

/** Run folders: results/<name>/ or results/<group>/<name>/ holding a metrics.json (hidden folders skipped). */
export function findRunFolders(resultsDir: string, depth = 2): string[] {
  const runs: string[] = [];
  const visit = (dir: string, left: number) => {
    if (existsSync(join(dir, 'metrics.json'))) return void runs.push(dir);
    if (left === 0) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory() && !entry.name.startsWith('.')) visit(join(dir, entry.name), left - 1);
    }
  };
  if (existsSync(resultsDir)) visit(resultsDir, depth);
  return runs.filter((r) => r !== resultsDir).sort();
}

/** When the run's newest file was written (the marker aside). */
function newestChange(dir: string): Date {
  let newest = statSync(join(dir, 'metrics.json')).mtimeMs;
  const visit = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      if (isMarkerFile(entry.name)) continue;
      if (entry.isDirectory()) visit(join(d, entry.name));
      else if (entry.isFile()) newest = Math.max(newest, statSync(join(d, entry.name)).mtimeMs);
    }
  };
  visit(dir);
  return new Date(newest);
}

/**
 * `<folder>-<when its newest file was written>`: the same files always get the same name, so
 * repeating a save whose marker was lost answers the same result; a retrained or changed run
 * gets a new name (a completed result cannot change).
 */
export function runNameAtStop(resultsDir: string, dir: string): string {
  const folder = relative(resultsDir, dir).replace(/[^A-Za-z0-9._-]+/g, '-');
  const stamp = newestChange(dir).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${folder}-${stamp}`;
}

export function titleAtStop(resultsDir: string, dir: string): string {
  try {
    const m = JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8'));
    if (Array.isArray(m.classes) && m.headline && typeof m.headline.text === 'string') return `${resultTitle(m)}, saved when the session stopped`;
    if (Array.isArray(m.classes) && typeof m.testAccuracy === 'number') {
      return `${m.classes.join(' vs ')} (${(m.testAccuracy * 100).toFixed(1)} % test accuracy), saved when the session stopped`;
    }
  } catch {
    // an unreadable metrics.json still gets uploaded; the control plane says what is wrong with it
  }
  return `${relative(resultsDir, dir)}, saved when the session stopped`;
}

/** Uploads the runs not saved yet, one by one; a failure is reported and the others still go. Never throws for one run. */
export async function saveUnsavedRuns(options: SaveUnsavedRunsOptions): Promise<SaveUnsavedRunsOutcome> {
  const print = options.print ?? ((line: string) => console.log(line));
  const resultsDir = join(options.workDir, 'results');
  const runs = findRunFolders(resultsDir);
  const outcome: SaveUnsavedRunsOutcome = { runs: runs.map((r) => relative(options.workDir, r)), saved: [], alreadySaved: [], failed: [] };
  if (!runs.length) {
    print(`no training runs in ${resultsDir}; nothing to save.`);
    return outcome;
  }
  for (const dir of runs) {
    const folder = relative(options.workDir, dir);
    try {
      const state = await savedState(dir);
      if (state.state === 'saved') {
        outcome.alreadySaved.push(folder);
        continue;
      }
      const runName = runNameAtStop(resultsDir, dir);
      const result = await uploadResults({ dir, uploadUrl: options.uploadUrl, token: options.token, runName, title: titleAtStop(resultsDir, dir) });
      outcome.saved.push({ folder, runName, resultId: result.resultId, url: result.url, files: result.files.length });
      print(`saved ${folder}${state.state === 'changed' ? ' (retrained since it was last saved)' : ''} as "${runName}" (${result.files.length} files): ${result.url}`);
      if (result.markerError) print(`warning: ${result.markerError}`);
    } catch (error) {
      outcome.failed.push({ folder, message: (error as Error).message });
      print(`could not save ${folder}: ${(error as Error).message}`);
    }
  }
  if (!outcome.saved.length && !outcome.failed.length) print(`all ${runs.length} run(s) in ${resultsDir} are saved already.`);
  else if (outcome.alreadySaved.length) print(`${outcome.alreadySaved.length} run(s) were saved already: ${outcome.alreadySaved.join(', ')}`);
  return outcome;
}
