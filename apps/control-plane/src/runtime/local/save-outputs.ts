import { spawn } from 'node:child_process';
import { delimiter, join } from 'node:path';

/** Marks a run folder as uploaded, so a later stop does not save it twice. */
export const SAVED_MARKER = '.trialhub-saved';

/**
 * The save step (the pod's preStop hook, `trialhub-save`): every trainer run under
 * `results/` that has its metrics and was not saved yet is uploaded with the trainer's own
 * client, in the session's environment. Plain JavaScript run with `node -e`, because it
 * talks to the trainer over a process boundary, like the notebook does.
 */
const SAVE_SCRIPT = `
const { existsSync, readdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
(async () => {
  const results = join(process.cwd(), 'results');
  if (!existsSync(results)) return;
  const runs = readdirSync(results, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => join(results, d.name))
    .filter((dir) => existsSync(join(dir, 'metrics.json')) && !existsSync(join(dir, ${JSON.stringify(SAVED_MARKER)})));
  if (!runs.length) return;
  const trainer = require('trialhub-trainer');
  for (const dir of runs) {
    const saved = await trainer.saveResultsToTrialhub({ dir, title: require('node:path').basename(dir) + ' (saved when the session stopped)', print: () => undefined });
    if (saved.saved) {
      writeFileSync(join(dir, ${JSON.stringify(SAVED_MARKER)}), saved.url + '\\n');
      console.log('saved ' + dir + ': ' + saved.url);
    } else console.log(saved.reason);
  }
})().catch((error) => { console.error('save failed: ' + error.message); process.exitCode = 1; });
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
        NODE_PATH: [join(options.repoRoot, 'apps/trainer/notebook-modules'), join(options.repoRoot, 'node_modules')].join(delimiter),
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
