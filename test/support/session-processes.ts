import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

function processesWhere(match: (env: string[]) => boolean): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (match(readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0'))) pids.push(Number(entry));
    } catch {
      /* gone, or a zombie */
    }
  }
  return pids;
}

/** Every live process (notebook server, kernels, wrapper) that carries the session's id in its environment. */
export const sessionProcesses = (sessionId: string): number[] => processesWhere((env) => env.includes(`TRIALHUB_SESSION_ID=${sessionId}`));

/**
 * Kills whatever session processes a test's control plane left (local runtime, state under
 * `dataDir`). A control plane that shuts down leaves its notebooks running on purpose (the
 * next one adopts them); a test whose data folder is about to be deleted must not.
 */
export function killSessionProcesses(dataDir: string): void {
  const owner = `TRIALHUB_RUNTIME_OWNER=${join(dataDir, 'runtime')}`;
  for (const pid of processesWhere((env) => env.some((e) => e.startsWith(owner)))) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}
