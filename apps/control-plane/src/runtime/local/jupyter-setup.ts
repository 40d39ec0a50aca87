import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { which } from './process-tools';

/** The Python that runs a `jupyter` script (its `#!` line): the TypeScript kernel is registered for that one. */
export function pythonOf(jupyter: string): string {
  try {
    const first = readFileSync(jupyter, 'utf8').slice(0, 200).split('\n')[0];
    const m = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(first);
    if (m && m[1].endsWith('/env') && m[2]) return which(m[2]) ?? m[2];
    if (m && existsSync(m[1])) return m[1];
  } catch {
    /* a binary, not a script */
  }
  return existsSync('/usr/bin/python3') ? '/usr/bin/python3' : (which('python3') ?? 'python3');
}

/**
 * Installs the tslab TypeScript kernel once under `<prefix>` (not the user's home), so the
 * notebook servers find it through JUPYTER_PATH. Returns that JUPYTER_PATH, or null with
 * the reason when tslab cannot be installed (sessions then only have the Python kernel).
 */
export async function installTypeScriptKernel(repoRoot: string, prefix: string, python: string): Promise<{ jupyterPath: string } | { error: string }> {
  const tslab = join(repoRoot, 'node_modules/.bin/tslab');
  const kernelSpec = join(prefix, 'share/jupyter/kernels/tslab/kernel.json');
  if (!existsSync(kernelSpec)) {
    if (!existsSync(tslab)) return { error: `tslab is not installed (${tslab} is missing): run npm install` };
    mkdirSync(prefix, { recursive: true });
    // Asynchronous: the install takes seconds, and the server keeps answering (probes, reads) meanwhile.
    const failure = await new Promise<string | null>((done) =>
      execFile(tslab, ['install', `--python=${python}`, `--binary=${tslab}`, `--prefix=${prefix}`], { encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) =>
        done(error ? (stderr || stdout || error.message).trim() : null),
      ),
    );
    if (failure !== null || !existsSync(kernelSpec)) return { error: `tslab install failed: ${failure ?? 'no kernel.json was written'}` };
  }
  return { jupyterPath: join(prefix, 'share/jupyter') };
}
