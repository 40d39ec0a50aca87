import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../database/embedded-postgres';
import type { ManagedResources, RuntimeCapacity, RuntimeObservation, SessionRuntime, SessionSpec, WorkspaceSpec } from '../session-runtime';
import { findSessionProcesses, isAlive, isOurProcess, killGroup, which } from './process-tools';
import { repoRoot } from './repo-root';

export interface LocalRuntimeOptions {
  dataDir: string;
  installationId: string;
  publicUrl: string;
  /** Folder copied into new workspaces as `pool-houses/` (the example data set), when set. */
  exampleDataDir?: string | null;
  /** Seconds a stopping notebook gets after SIGTERM before SIGKILL. */
  stopGraceSeconds?: number;
}

interface Logger { log(msg: string): void; warn(msg: string): void; error(msg: string): void }

/** What is kept on disk per running session, so a restarted control plane finds its processes. */
interface SessionRecord { sessionId: string; trialId: string; pid: number | null; port: number | null; baseUrl: string; mode: 'jupyter' | 'headless'; startedAt: string }

const NOTEBOOK = 'Classifying-House-And-Pool-Images.ipynb';
const LOG_LINES = 20;

/**
 * The embedded default runtime: each session is a Jupyter Notebook server child process
 * (own process group, bound to 127.0.0.1, token and base URL from the spec) working in a
 * per-trial folder. Without Jupyter installed a session runs headless (the trainer only).
 */
export class LocalRuntime implements SessionRuntime {
  readonly kind = 'local' as const;
  private readonly listeners = new Set<(o: RuntimeObservation) => void>();
  private readonly observations = new Map<string, RuntimeObservation>();
  private readonly children = new Map<string, ChildProcess>();
  private readonly logs = new Map<string, string[]>();
  private readonly timers = new Map<string, NodeJS.Timeout[]>();
  private readonly backstops = new Map<string, NodeJS.Timeout>();
  private readonly stateDir: string;
  private readonly workspacesDir: string;
  private readonly root = repoRoot();
  private jupyterPath: string | null | undefined;
  private kernelDir: string | null = null;

  constructor(
    private readonly options: LocalRuntimeOptions,
    private readonly logger: Logger = console,
  ) {
    this.stateDir = join(options.dataDir, 'runtime', options.installationId, 'sessions');
    this.workspacesDir = join(options.dataDir, 'workspaces');
  }

  /** Finds the processes a previous control plane left: live ones are adopted, the rest forgotten. */
  async start(): Promise<void> {
    mkdirSync(this.stateDir, { recursive: true });
    for (const record of this.records()) {
      if (record.mode === 'headless' || (record.pid && isAlive(record.pid) && isOurProcess(record.pid, record.sessionId))) {
        // Known to be alive: report it starting at once, so the reconciler does not take it for lost before the first poll.
        this.emit({ sessionId: record.sessionId, phase: 'starting', node: hostname(), mode: record.mode });
        if (record.pid) this.watchAdopted(record);
        this.pollReady(record);
      } else {
        this.removeRecord(record.sessionId);
      }
    }
  }

  async shutdown(): Promise<void> {
    // Session processes keep running (a restart adopts them); only our timers stop.
    for (const list of this.timers.values()) list.forEach(clearTimeout);
    this.timers.clear();
    for (const t of this.backstops.values()) clearTimeout(t);
    this.backstops.clear();
    this.listeners.clear();
  }

  watch(listener: (o: RuntimeObservation) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  observe(sessionId: string): RuntimeObservation | undefined {
    return this.observations.get(sessionId);
  }

  async ensureWorkspace(spec: WorkspaceSpec): Promise<void> {
    const dir = this.workspaceDir(spec.trialId);
    mkdirSync(dir, { recursive: true });
    const notebook = [join(this.root, 'apps/trainer/notebooks', NOTEBOOK), join(this.root, 'dist/apps/trainer/notebooks', NOTEBOOK)].find(existsSync);
    if (notebook && !existsSync(join(dir, NOTEBOOK))) cpSync(notebook, join(dir, NOTEBOOK));
    const data = this.options.exampleDataDir;
    if (data && existsSync(data) && !existsSync(join(dir, 'pool-houses'))) cpSync(data, join(dir, 'pool-houses'), { recursive: true });
  }

  async deleteWorkspace(trialId: string): Promise<void> {
    rmSync(this.workspaceDir(trialId), { recursive: true, force: true });
  }

  async launch(spec: SessionSpec): Promise<void> {
    const existing = this.readRecord(spec.sessionId);
    if (existing && (existing.mode === 'headless' || (existing.pid && isAlive(existing.pid) && isOurProcess(existing.pid, spec.sessionId)))) return;
    await this.ensureWorkspace({ trialId: spec.trialId, userId: spec.userId, storage: '' });
    const jupyter = this.jupyter();
    if (!jupyter) return this.launchHeadless(spec);
    const port = await freePort();
    const logFile = join(this.workspaceDir(spec.trialId), '.trialhub', `${spec.sessionId}.log`);
    mkdirSync(join(this.workspaceDir(spec.trialId), '.trialhub'), { recursive: true });
    const child = spawn(
      jupyter,
      [
        'notebook', '--no-browser', '--ip=127.0.0.1', `--port=${port}`, '--port-retries=0',
        `--NotebookApp.token=${spec.jupyterToken}`, `--NotebookApp.base_url=${spec.baseUrl}`,
        `--notebook-dir=${this.workspaceDir(spec.trialId)}`, '--NotebookApp.allow_remote_access=True',
        '--NotebookApp.trust_xheaders=True', "--NotebookApp.allow_origin=*", '--allow-root',
      ],
      { cwd: this.workspaceDir(spec.trialId), env: this.sessionEnv(spec), detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const log = createWriteStream(logFile, { flags: 'a' });
    const lines: string[] = [];
    this.logs.set(spec.sessionId, lines);
    const capture = (chunk: Buffer) => {
      log.write(chunk);
      lines.push(...chunk.toString().split('\n').filter((l) => l.trim()));
      if (lines.length > LOG_LINES) lines.splice(0, lines.length - LOG_LINES);
    };
    child.stdout!.on('data', capture);
    child.stderr!.on('data', capture);
    this.children.set(spec.sessionId, child);
    const record: SessionRecord = { sessionId: spec.sessionId, trialId: spec.trialId, pid: child.pid ?? null, port, baseUrl: spec.baseUrl, mode: 'jupyter', startedAt: new Date().toISOString() };
    this.writeRecord(record);
    child.on('exit', (code, signal) => {
      log.end();
      this.children.delete(spec.sessionId);
      if (!this.readRecord(spec.sessionId)) return; // terminated on purpose
      this.removeRecord(spec.sessionId);
      const tail = lines.slice(-5).join('\n');
      this.emit({ sessionId: spec.sessionId, phase: 'failed', reason: 'Exited', message: `The notebook server exited (${signal ?? `code ${code}`}). Last log lines:\n${tail}` });
    });
    this.emit({ sessionId: spec.sessionId, phase: 'starting', node: hostname(), mode: 'jupyter' });
    this.pollReady(record);
    this.backstop(spec);
  }

  async terminate(sessionId: string, options: { gracePeriodSeconds?: number } = {}): Promise<void> {
    const record = this.readRecord(sessionId);
    this.clearTimers(sessionId);
    if (!record) {
      this.emit({ sessionId, phase: 'gone' });
      return;
    }
    this.removeRecord(sessionId);
    if (record.pid && isAlive(record.pid) && isOurProcess(record.pid, sessionId)) {
      killGroup(record.pid, 'SIGTERM');
      const grace = (options.gracePeriodSeconds ?? this.options.stopGraceSeconds ?? 10) * 1000;
      const deadline = Date.now() + grace;
      while (isAlive(record.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      if (isAlive(record.pid)) killGroup(record.pid, 'SIGKILL');
      while (isAlive(record.pid) && isOurProcess(record.pid, sessionId)) await new Promise((r) => setTimeout(r, 50));
    }
    this.emit({ sessionId, phase: 'gone' });
  }

  async listManaged(): Promise<ManagedResources> {
    const sessionIds = new Set(this.records().map((r) => r.sessionId));
    // Processes without a record (the record was lost) are found by their environment.
    for (const p of findSessionProcesses(this.stateDir)) {
      if (!sessionIds.has(p.sessionId)) {
        sessionIds.add(p.sessionId);
        this.writeRecord({ sessionId: p.sessionId, trialId: '', pid: p.pid, port: null, baseUrl: '', mode: 'jupyter', startedAt: new Date().toISOString() });
      }
    }
    const trialIds = existsSync(this.workspacesDir) ? readdirSync(this.workspacesDir) : [];
    return { sessionIds: [...sessionIds], trialIds };
  }

  async capacity(): Promise<RuntimeCapacity> {
    return { nodes: [{ name: hostname(), labels: { 'kubernetes.io/arch': process.arch === 'x64' ? 'amd64' : process.arch }, gpus: 0, gpusUsed: 0, ready: true }] };
  }

  private launchHeadless(spec: SessionSpec): void {
    this.writeRecord({ sessionId: spec.sessionId, trialId: spec.trialId, pid: null, port: null, baseUrl: spec.baseUrl, mode: 'headless', startedAt: new Date().toISOString() });
    const cli = join(this.root, 'dist/apps/trainer/src/cli.js');
    const data = join(this.workspaceDir(spec.trialId), 'pool-houses');
    if (existsSync(cli) && existsSync(data)) {
      const args = [cli, '--out', join(this.workspaceDir(spec.trialId), 'results', `run-${Date.now()}`)];
      if (existsSync(join(data, 'bottlenecks'))) args.push('--bottlenecks', join(data, 'bottlenecks'));
      if (existsSync(join(data, 'images'))) args.push('--data', join(data, 'images'));
      const child = spawn(process.execPath, args, { cwd: this.workspaceDir(spec.trialId), env: this.sessionEnv(spec), stdio: 'ignore', detached: true });
      child.unref();
    }
    this.emit({ sessionId: spec.sessionId, phase: 'ready', node: hostname(), mode: 'headless', message: 'Jupyter is not installed on this machine: the trainer runs headless' });
    this.backstop(spec);
  }

  /** Polls Jupyter's API until it answers, then reports the session ready. */
  private pollReady(record: SessionRecord): void {
    if (record.mode === 'headless') {
      this.emit({ sessionId: record.sessionId, phase: 'ready', node: hostname(), mode: 'headless' });
      return;
    }
    const check = async () => {
      if (!this.readRecord(record.sessionId)) return;
      try {
        const res = await fetch(`http://127.0.0.1:${record.port}${record.baseUrl}api`, { signal: AbortSignal.timeout(2000) });
        if (res.ok) {
          this.emit({ sessionId: record.sessionId, phase: 'ready', endpoint: { host: '127.0.0.1', port: record.port! }, node: hostname(), mode: 'jupyter' });
          return;
        }
      } catch {
        /* not up yet */
      }
      this.addTimer(record.sessionId, setTimeout(check, 250));
    };
    void check();
  }

  /** A process adopted after a restart: no 'exit' event, so poll for its death. */
  private watchAdopted(record: SessionRecord): void {
    const poll = () => {
      if (!this.readRecord(record.sessionId)) return;
      if (!isAlive(record.pid!)) {
        this.removeRecord(record.sessionId);
        this.emit({ sessionId: record.sessionId, phase: 'failed', reason: 'Exited', message: 'The notebook server exited.' });
        return;
      }
      this.addTimer(record.sessionId, setTimeout(poll, 1000));
    };
    poll();
  }

  /** Nothing outlives its trial, even if the reconciler is down: kill at the trial's end. */
  private backstop(spec: SessionSpec): void {
    const ms = Math.min(spec.trialExpiresAt.getTime() - Date.now(), 2 ** 31 - 1);
    clearTimeout(this.backstops.get(spec.sessionId));
    const timer = setTimeout(() => void this.terminate(spec.sessionId, { gracePeriodSeconds: 5 }), Math.max(0, ms));
    timer.unref();
    this.backstops.set(spec.sessionId, timer);
  }

  private sessionEnv(spec: SessionSpec): NodeJS.ProcessEnv {
    const kernels = this.kernelPath();
    return {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LANG: process.env.LANG ?? 'C.UTF-8',
      ...(kernels ? { JUPYTER_PATH: kernels } : {}),
      NODE_PATH: join(this.root, 'node_modules'),
      TRIALHUB_SESSION_ID: spec.sessionId,
      TRIALHUB_RUNTIME_OWNER: this.stateDir,
      TRIALHUB_UPLOAD_URL: spec.uploadUrl,
      TRIALHUB_UPLOAD_TOKEN: spec.uploadToken,
      TRIALHUB_BASE_URL: spec.baseUrl,
      TRIALHUB_REPO: this.root,
    };
  }

  /** Installs the tslab TypeScript kernel once into the data dir; null when tslab is not available. */
  private kernelPath(): string | null {
    if (this.kernelDir !== null) return this.kernelDir || null;
    const tslab = join(this.root, 'node_modules/.bin/tslab');
    const prefix = join(this.options.dataDir, 'jupyter');
    const spec = join(prefix, 'share/jupyter/kernels/tslab/kernel.json');
    if (!existsSync(spec) && existsSync(tslab)) {
      const python = which('python3') ?? 'python3';
      const r = spawnSync(tslab, ['install', `--python=${python}`, `--binary=${tslab}`, `--prefix=${prefix}`], { encoding: 'utf8' });
      if (r.status !== 0) this.logger.warn(`Could not install the TypeScript kernel: ${r.stderr || r.stdout}`);
    }
    this.kernelDir = existsSync(spec) ? join(prefix, 'share/jupyter') : '';
    return this.kernelDir || null;
  }

  private jupyter(): string | null {
    if (this.jupyterPath === undefined) this.jupyterPath = which('jupyter');
    return this.jupyterPath;
  }

  private emit(o: RuntimeObservation): void {
    if (o.phase === 'gone') this.observations.delete(o.sessionId);
    else this.observations.set(o.sessionId, o);
    for (const l of this.listeners) l(o);
  }

  private workspaceDir(trialId: string): string {
    return join(this.workspacesDir, trialId);
  }

  private recordFile(sessionId: string): string {
    return join(this.stateDir, `${sessionId}.json`);
  }

  private readRecord(sessionId: string): SessionRecord | null {
    try {
      return JSON.parse(readFileSync(this.recordFile(sessionId), 'utf8'));
    } catch {
      return null;
    }
  }

  private writeRecord(record: SessionRecord): void {
    mkdirSync(this.stateDir, { recursive: true });
    writeFileSync(this.recordFile(record.sessionId), JSON.stringify(record));
  }

  private removeRecord(sessionId: string): void {
    rmSync(this.recordFile(sessionId), { force: true });
  }

  private records(): SessionRecord[] {
    if (!existsSync(this.stateDir)) return [];
    return readdirSync(this.stateDir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => this.readRecord(f.slice(0, -5)))
      .filter((r): r is SessionRecord => r !== null);
  }

  private addTimer(sessionId: string, t: NodeJS.Timeout): void {
    t.unref();
    const list = this.timers.get(sessionId) ?? [];
    list.push(t);
    this.timers.set(sessionId, list.slice(-5));
  }

  private clearTimers(sessionId: string): void {
    this.timers.get(sessionId)?.forEach(clearTimeout);
    this.timers.delete(sessionId);
    clearTimeout(this.backstops.get(sessionId));
    this.backstops.delete(sessionId);
  }
}
