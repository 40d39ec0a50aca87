import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** The compiled trainer module both stop-time savers run (the notebook image's `trialhub-save` too). */
export const TRAINER_SAVE_MODULE = 'dist/apps/trainer/src/save-unsaved-runs.js';
/** Then the executed notebook (as Jupyter saved it by now) goes to the runs the save cell saved mid-run. */
export const TRAINER_NOTEBOOK_MODULE = 'dist/apps/trainer/src/refresh-saved-notebooks.js';

/**
 * The save step (the pod's preStop hook, `trialhub-save`): the trainer's `saveUnsavedRuns`
 * uploads every run under `results/` that has its metrics and is not saved yet, as the run
 * folder's `.trialhub-saved` marker says (written by every upload, the notebook's save cell
 * included; a run retrained since is saved again). Run in a child process in the session's
 * environment, because it talks to the trainer over a process boundary, like the notebook does.
 */
const SAVE_SCRIPT = `
const { saveUnsavedRuns } = require(process.env.TRIALHUB_SAVE_MODULE);
const { refreshSavedNotebooks } = require(process.env.TRIALHUB_NOTEBOOK_MODULE);
const target = { workDir: process.cwd(), uploadUrl: process.env.TRIALHUB_UPLOAD_URL, token: process.env.TRIALHUB_UPLOAD_TOKEN };
saveUnsavedRuns(target)
  .then(async (outcome) => {
    const notebooks = await refreshSavedNotebooks(target);
    if (outcome.failed.length || notebooks.failed.length) process.exitCode = 1;
  })
  .catch((error) => { console.error('save failed: ' + error.message); process.exitCode = 1; });
`;

export interface SaveOutcome {
  ok: boolean;
  output: string;
}

/** Runs the save step in `workspace`; gives up (and kills it) after `timeoutMs`. Never throws. */
export function saveOutputs(options: { repoRoot: string; workspace: string; uploadUrl: string; uploadToken: string; sessionId: string; timeoutMs: number }): Promise<SaveOutcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', SAVE_SCRIPT], {
      cwd: options.workspace,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        TRIALHUB_SAVE_MODULE: join(options.repoRoot, TRAINER_SAVE_MODULE),
        TRIALHUB_NOTEBOOK_MODULE: join(options.repoRoot, TRAINER_NOTEBOOK_MODULE),
        TRIALHUB_SESSION_ID: options.sessionId,
        TRIALHUB_UPLOAD_URL: options.uploadUrl,
        TRIALHUB_UPLOAD_TOKEN: options.uploadToken,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => {
      output += `\nthe save step took longer than ${options.timeoutMs} ms and was stopped`;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ ok: false, output: err.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ ok: code === 0, output: output.trim() });
    });
  });
}
