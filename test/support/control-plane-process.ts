import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../apps/control-plane/src/runtime/local/repo-root';

// From source (tests) or from dist/test (benchmarks).
const root = repoRoot();

/** Builds dist/ if any source is newer (the same step `npm start` takes). */
export function buildOnce(): void {
  const r = spawnSync(process.execPath, [join(root, 'scripts/build.mjs'), '--if-stale'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npm run build failed');
}

/** The real control plane as a child process (`node dist/control-plane.js`, as `npm start`), for restart and kill -9 tests. */
export class ControlPlaneProcess {
  private child: ChildProcess | null = null;
  readonly output: string[] = [];
  url = '';

  /** `logFile`: the server's output goes to that file (appended), not through this process (benchmarks: a log under load is not held in memory). */
  constructor(
    private readonly env: Record<string, string>,
    private readonly options: { logFile?: string } = {},
  ) {}

  async start(timeoutMs = 60_000): Promise<string> {
    this.output.length = 0;
    const logFile = this.options.logFile;
    const fd = logFile ? openSync(logFile, 'a') : null;
    const child = spawn(process.execPath, ['--enable-source-maps', join(root, 'dist/control-plane.js')], {
      cwd: root,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test', LOG_LEVEL: 'info', HOST: '127.0.0.1', PORT: '0', AUTH_RATE_LIMIT: '1000/1m', SCHEDULER_INTERVAL: '200ms', ...this.env },
      stdio: fd === null ? ['ignore', 'pipe', 'pipe'] : ['ignore', fd, fd],
    });
    if (fd !== null) closeSync(fd);
    this.child = child;
    const onData = (d: Buffer) => this.output.push(...d.toString().split('\n').filter(Boolean));
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (logFile) this.output.splice(0, this.output.length, ...readFileSync(logFile, 'utf8').split('\n').filter(Boolean));
      const line = this.output.find((l) => l.includes('Trialhub is listening on'));
      if (line) {
        this.url = /listening on (http:\/\/[\d.:]+)/.exec(line)![1];
        return this.url;
      }
      if (child.exitCode !== null) throw new Error(`The control plane exited with ${child.exitCode}:\n${this.output.slice(-30).join('\n')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`The control plane did not start within ${timeoutMs} ms:\n${this.output.slice(-30).join('\n')}`);
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** SIGKILL: no shutdown hooks run, exactly like a crashed node. SIGTERM: what Kubernetes sends first. Resolves with how it exited. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return { code: child?.exitCode ?? null, signal: child?.signalCode ?? null };
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, sig) => r({ code, signal: sig })));
    child.kill(signal);
    return exited;
  }
}
