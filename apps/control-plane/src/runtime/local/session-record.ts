import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What is kept on disk per running session (JupyterHub's `get_state`/`load_state`), so a
 * control plane that restarts — even after SIGKILL — finds its processes again.
 */
export interface SessionRecord {
  sessionId: string;
  trialId: string;
  installationId: string;
  /** Leader of the session's process group (the `timeout` wrapper, or the server itself). */
  pid: number | null;
  port: number | null;
  baseUrl: string;
  mode: 'jupyter' | 'headless';
  startedAt: string;
  trialExpiresAt: string;
  /** sha256 of the Jupyter token: a relaunch with other credentials (a new generation) replaces the process. */
  tokenHash: string;
  /** For the save step at stop, which may run after a restart. The folder is private (0700). */
  uploadUrl: string;
  uploadToken: string;
  logFile: string;
}

/** One JSON file per session under `<dataDir>/runtime/<installationId>/sessions/`. */
export class SessionRecords {
  constructor(readonly dir: string) {}

  read(sessionId: string): SessionRecord | null {
    try {
      return JSON.parse(readFileSync(this.file(sessionId), 'utf8')) as SessionRecord;
    } catch {
      return null;
    }
  }

  write(record: SessionRecord): void {
    this.ensureDir();
    writeFileSync(this.file(record.sessionId), JSON.stringify(record, null, 2), { mode: 0o600 });
  }

  remove(sessionId: string): void {
    rmSync(this.file(sessionId), { force: true });
  }

  all(): SessionRecord[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => this.read(f.slice(0, -'.json'.length)))
      .filter((r): r is SessionRecord => r !== null);
  }

  ensureDir(): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    chmodSync(this.dir, 0o700);
  }

  private file(sessionId: string): string {
    // Session ids are UUIDs; anything else must never become a path.
    if (!/^[0-9a-f-]{36}$/i.test(sessionId)) throw new Error(`Not a session id: ${sessionId}`);
    return join(this.dir, `${sessionId}.json`);
  }
}
