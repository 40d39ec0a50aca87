import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The first executable named `name` on PATH, or null. */
export function which(name: string, path = process.env.PATH ?? ''): string | null {
  for (const dir of path.split(delimiter)) {
    const candidate = join(dir, name);
    if (dir && existsSync(candidate)) return candidate;
  }
  return null;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when the process carries `TRIALHUB_SESSION_ID=<id>` in its environment: a pid can be reused by an unrelated process. */
export function isOurProcess(pid: number, sessionId: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(`TRIALHUB_SESSION_ID=${sessionId}`);
  } catch {
    return false;
  }
}

/** Signals the whole process group when `pid` leads one (sessions are spawned detached), else just the process. */
export function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

/** Every live process whose environment names one of our sessions (for restart garbage collection). `owner` is the runtime's state folder, so two installations on one machine never touch each other's processes. */
export function findSessionProcesses(owner: string): Array<{ pid: number; sessionId: string }> {
  const out: Array<{ pid: number; sessionId: string }> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const env = readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0');
      if (!env.includes(`TRIALHUB_RUNTIME_OWNER=${owner}`)) continue;
      const id = env.find((e) => e.startsWith('TRIALHUB_SESSION_ID='))?.slice('TRIALHUB_SESSION_ID='.length);
      if (id) out.push({ pid: Number(entry), sessionId: id });
    } catch {
      /* gone or not ours to read */
    }
  }
  return out;
}
