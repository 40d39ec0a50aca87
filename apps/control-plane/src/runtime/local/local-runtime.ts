import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { sha256 } from '../../common/crypto';
import { freePort } from '../../common/free-port';
import { ObservationCache } from '../observation-cache';
import type { ManagedResources, RuntimeCapacity, RuntimeMachine, RuntimeObservation, SessionRuntime, SessionSpec, WorkspaceSpec } from '../session-runtime';
import { notebookUiFiles } from '../notebook-ui';
import { installTypeScriptKernel, pythonOf } from './jupyter-setup';
import { logTail } from './log-tail';
import { CommandContext, headlessCommand, jupyterCommand, jupyterEnv, sessionEnv, withBackstop } from './notebook-command';
import { findSessionProcesses, isAlive, isOurProcess, killGroup, which } from './process-tools';
import { repoRoot } from './repo-root';
import { saveOutputs } from './save-outputs';
import { SessionRecord, SessionRecords } from './session-record';
import { thisComputer, detectGpus, gpusFromNvidiaSmi, type LocalGpu } from './this-computer';
import { EXAMPLE_DATA_FOLDER, SHIPPED_EXAMPLE_DATA, Workspaces } from './workspace';

export interface LocalRuntimeOptions {
  dataDir: string;
  installationId: string;
  /** Folder copied into new workspaces as `pool-houses/` (TRIALHUB_EXAMPLE_DATA); unset: the copy that ships with the product; null: none. */
  exampleDataDir?: string | null;
  /** Seconds a stopping notebook gets after SIGTERM before SIGKILL (default 10). */
  stopGraceSeconds?: number;
  /** How long the save step at stop may take (default 60 s). */
  saveTimeoutMs?: number;
  /** How long Jupyter may take to answer before the session fails (default 120 s). */
  startTimeoutMs?: number;
  /** The `jupyter` executable (default: found on PATH); `off` runs every session headless (JUPYTER_COMMAND). */
  jupyterCommand?: string | null;
}

interface Logger { log(msg: string): void; warn(msg: string): void; error(msg: string): void }

type TimerKind = 'ready' | 'watch' | 'deadline';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The embedded default runtime: each session is a Jupyter Notebook server child process in
 * its own process group, bound to 127.0.0.1 with the session's token and base URL, working
 * in a per-trial folder. A state file per session lets a restarted control plane adopt what
 * still runs and garbage-collect the rest. Without Jupyter a session runs the trainer headless.
 */
export class LocalRuntime implements SessionRuntime {
  readonly kind = 'local' as const;
  private readonly observations: ObservationCache;
  /** One timer of each kind per session: readiness poll, process watch, trial deadline. */
  private readonly timers = new Map<string, Map<TimerKind, NodeJS.Timeout>>();
  /** In-flight stops: the reconciler may ask again while a slow save step runs. */
  private readonly stopping = new Map<string, Promise<void>>();
  private readonly records: SessionRecords;
  private readonly workspaces: Workspaces;
  private readonly root = repoRoot();
  private readonly stateDir: string;
  private jupyterBin: string | null | undefined;
  private jupyterPath: Promise<string | null> | undefined;

  constructor(
    private readonly options: LocalRuntimeOptions,
    private readonly logger: Logger = console,
  ) {
    this.observations = new ObservationCache(logger);
    this.stateDir = join(options.dataDir, 'runtime', options.installationId);
    this.records = new SessionRecords(join(this.stateDir, 'sessions'));
    this.workspaces = new Workspaces(join(options.dataDir, 'workspaces'), this.root, options.exampleDataDir === undefined ? join(this.root, SHIPPED_EXAMPLE_DATA) : options.exampleDataDir);
  }

  /** Finds what a previous control plane left: live processes are adopted, dead ones reported failed. */
  async start(): Promise<void> {
    this.records.ensureDir();
    for (const record of this.records.all()) {
      if (record.pid && this.isOurs(record)) {
        this.logger.log(`Adopting session ${record.sessionId} (pid ${record.pid}) left by a previous control plane`);
        // Reported at once, so the reconciler does not take the session for lost before the first poll.
        this.emit({ sessionId: record.sessionId, phase: 'starting', node: hostname(), localMode: record.mode });
        this.watchProcess(record);
        this.pollReady(record);
        this.scheduleDeadline(record);
      } else if (record.mode === 'headless' && !record.pid) {
        this.emit(this.headlessReady(record.sessionId));
      } else {
        this.records.remove(record.sessionId);
        this.emit(this.exited(record, 'while the control plane was down'));
      }
    }
  }

  async shutdown(): Promise<void> {
    // Session processes keep running (a restarted control plane adopts them); only our timers stop.
    for (const kinds of this.timers.values()) kinds.forEach((t) => clearTimeout(t));
    this.timers.clear();
    this.observations.clearListeners();
  }

  watch(listener: (o: RuntimeObservation) => void): () => void {
    return this.observations.subscribe(listener);
  }

  observe(sessionId: string): RuntimeObservation | undefined {
    return this.observations.get(sessionId);
  }

  async ensureWorkspace(spec: WorkspaceSpec): Promise<void> {
    this.workspaces.ensure(spec.trialId);
  }

  async deleteWorkspace(trialId: string): Promise<void> {
    this.workspaces.delete(trialId);
  }

  /** Spawns the session's process and returns; readiness arrives through watch(). Idempotent. */
  async launch(spec: SessionSpec): Promise<void> {
    await this.stopping.get(spec.sessionId);
    const existing = this.records.read(spec.sessionId);
    if (existing && existing.tokenHash === sha256(spec.jupyterToken) && (existing.mode === 'headless' || this.isOurs(existing))) return;
    // Left over from an earlier launch (other credentials, or dead): replace it. No save step: its
    // outputs stay in the workspace, and the new launch's stop saves them with valid credentials.
    if (existing) await this.terminate(spec.sessionId, { gracePeriodSeconds: 0 });
    const workspace = this.workspaces.ensure(spec.trialId);
    const jupyter = this.jupyter();
    const logFile = join(this.stateDir, 'logs', `${spec.sessionId}.log`);
    mkdirSync(join(this.stateDir, 'logs'), { recursive: true });
    const ctx = await this.commandContext(spec, workspace, !!jupyter);
    const record: SessionRecord = {
      sessionId: spec.sessionId, trialId: spec.trialId, installationId: this.options.installationId, pid: null, port: null,
      baseUrl: spec.baseUrl, mode: jupyter ? 'jupyter' : 'headless', startedAt: new Date().toISOString(),
      trialExpiresAt: (spec.backstopAt ?? spec.trialExpiresAt).toISOString(), tokenHash: sha256(spec.jupyterToken),
      uploadUrl: spec.uploadUrl, uploadToken: spec.uploadToken, logFile,
    };
    let command: string[] | null;
    if (jupyter) {
      record.port = await freePort();
      command = jupyterCommand(jupyter, spec, record.port, ctx);
    } else {
      command = this.headlessTrainer(workspace);
    }
    if (command) record.pid = this.spawnDetached(withBackstop(command, spec, ctx), workspace, jupyter ? jupyterEnv(spec, ctx) : sessionEnv(spec, ctx), logFile);
    this.records.write(record);
    if (record.mode === 'headless') {
      this.logger.warn(`Jupyter is not installed (no "jupyter" on PATH): session ${spec.sessionId} runs the trainer headless`);
      this.emit(this.headlessReady(spec.sessionId));
    } else {
      this.emit({ sessionId: spec.sessionId, phase: 'starting', node: hostname(), localMode: 'jupyter' });
      this.pollReady(record);
    }
    if (record.pid) this.watchProcess(record);
    this.scheduleDeadline(record);
  }

  /** Saves the outputs, then SIGTERM to the process group, SIGKILL after the grace period; resolves once the processes are gone. */
  terminate(sessionId: string, options: { gracePeriodSeconds?: number } = {}): Promise<void> {
    const running = this.stopping.get(sessionId);
    if (running) return running;
    const stop = this.stop(sessionId, options.gracePeriodSeconds ?? this.options.stopGraceSeconds ?? 10).finally(() => this.stopping.delete(sessionId));
    this.stopping.set(sessionId, stop);
    return stop;
  }

  async listManaged(): Promise<ManagedResources> {
    const sessionIds = new Set(this.records.all().map((r) => r.sessionId));
    // A process whose state file was lost is still found by its environment, and still ours to collect.
    for (const p of findSessionProcesses(this.stateDir)) sessionIds.add(p.sessionId);
    const trialIds = existsSync(this.workspaces.root) ? readdirSync(this.workspaces.root).filter((n) => /^[0-9a-f-]{36}$/i.test(n)) : [];
    return { sessionIds: [...sessionIds], trialIds };
  }

  async capacity(): Promise<RuntimeCapacity> {
    const { name, gpus, gpusUsed, ready } = await this.thisComputer();
    return { nodes: [{ name, arch: kubernetesArch(process.arch), labels: {}, gpus, gpusUsed, ready }] };
  }

  async machines(): Promise<RuntimeMachine[]> {
    return [await this.thisComputer()];
  }

  /** GPUs are looked for once (they do not come and go); CPU count and memory are read each time. */
  private gpus: LocalGpu[] | undefined;
  private async thisComputer(): Promise<RuntimeMachine> {
    this.gpus ??= detectGpus().length ? detectGpus() : gpusFromNvidiaSmi();
    return thisComputer(this.gpus);
  }

  private async stop(sessionId: string, graceSeconds: number): Promise<void> {
    this.clearTimers(sessionId);
    const record = this.records.read(sessionId);
    // Processes without a state file (found by listManaged) are stopped too.
    const pids = new Set(findSessionProcesses(this.stateDir).filter((p) => p.sessionId === sessionId).map((p) => p.pid));
    if (record?.pid && this.isOurs(record)) pids.add(record.pid);
    if (record && graceSeconds > 0 && record.uploadToken) {
      // The pod's preStop hook: outputs are uploaded before the notebook goes.
      const saved = await saveOutputs({ repoRoot: this.root, workspace: this.workspaces.dir(record.trialId), uploadUrl: record.uploadUrl, uploadToken: record.uploadToken, sessionId, timeoutMs: this.options.saveTimeoutMs ?? 60_000 });
      if (!saved.ok) this.logger.warn(`Session ${sessionId}: saving outputs before the stop failed: ${saved.output}`);
      else if (saved.output) this.logger.log(`Session ${sessionId}: ${saved.output}`);
    }
    // The state file goes first: the exit watcher then knows the exit was asked for.
    this.records.remove(sessionId);
    for (const pid of pids) killGroup(pid, 'SIGTERM');
    const deadline = Date.now() + graceSeconds * 1000;
    while ([...pids].some((pid) => this.alive(pid, sessionId)) && Date.now() < deadline) await sleep(100);
    for (const pid of pids) if (this.alive(pid, sessionId)) killGroup(pid, 'SIGKILL');
    const killDeadline = Date.now() + 5000;
    while ([...pids].some((pid) => this.alive(pid, sessionId)) && Date.now() < killDeadline) await sleep(50);
    // Jupyter starts kernels in sessions of their own: whatever still carries the session's id goes too.
    for (const p of findSessionProcesses(this.stateDir)) if (p.sessionId === sessionId) killGroup(p.pid, 'SIGKILL');
    this.emit({ sessionId, phase: 'gone' });
  }

  private spawnDetached(command: string[], cwd: string, env: NodeJS.ProcessEnv, logFile: string): number | null {
    // Output goes straight to a file, not through a pipe to us: a control plane that dies must not take the notebook down with a broken pipe.
    const fd = openSync(logFile, 'a', 0o600);
    try {
      const child = spawn(command[0], command.slice(1), { cwd, env, detached: true, stdio: ['ignore', fd, fd] });
      child.on('error', (err) => this.logger.error(`Could not start ${command[0]}: ${err.message}`));
      child.unref();
      return child.pid ?? null;
    } finally {
      closeSync(fd);
    }
  }

  /** The trainer on the example data, or null when there is nothing to train on (the session then just reports headless). */
  private headlessTrainer(workspace: string): string[] | null {
    const data = join(workspace, EXAMPLE_DATA_FOLDER);
    const bottlenecks = join(data, 'bottlenecks');
    const images = join(data, 'images');
    if (!existsSync(join(this.root, 'dist/apps/trainer/src/cli.js'))) return null;
    if (!existsSync(bottlenecks) && !existsSync(images)) return null;
    // Stored bottlenecks need no feature model (there may be no network to fetch one); images only when there are none.
    return headlessCommand(
      this.root,
      join(workspace, 'results', `headless-${new Date().toISOString().replace(/[:.]/g, '-')}`),
      existsSync(bottlenecks) ? { bottlenecks } : { images },
    );
  }

  private headlessReady(sessionId: string): RuntimeObservation {
    return { sessionId, phase: 'ready', node: hostname(), localMode: 'headless', message: 'Jupyter is not installed on this machine: the trainer runs headless' };
  }

  /** Polls `GET <baseUrl>api` until Jupyter answers, then reports the session ready. */
  private pollReady(record: SessionRecord): void {
    if (record.mode === 'headless') return this.emit(this.headlessReady(record.sessionId));
    const giveUpAt = Date.now() + (this.options.startTimeoutMs ?? 120_000);
    const check = async () => {
      if (!this.records.read(record.sessionId)) return;
      try {
        const res = await fetch(`http://127.0.0.1:${record.port}${record.baseUrl}api`, { signal: AbortSignal.timeout(2000) });
        await res.arrayBuffer();
        if (res.ok) {
          this.emit({ sessionId: record.sessionId, phase: 'ready', endpoint: { host: '127.0.0.1', port: record.port! }, node: hostname(), localMode: 'jupyter' });
          return;
        }
      } catch {
        /* not listening yet */
      }
      if (Date.now() > giveUpAt) {
        const tail = logTail(record.logFile);
        const failed: RuntimeObservation = { sessionId: record.sessionId, phase: 'failed', reason: 'StartTimeout', message: `The notebook server did not answer within ${Math.round((this.options.startTimeoutMs ?? 120_000) / 1000)} s.${tail ? ` Last log lines:\n${tail}` : ''}` };
        // Reported after the stop, whose 'gone' would otherwise replace the failure before the reconciler reads it.
        void this.terminate(record.sessionId, { gracePeriodSeconds: 2 }).then(() => this.emit(failed));
        return;
      }
      this.setTimer(record.sessionId, 'ready', setTimeout(check, 200));
    };
    void check();
  }

  /** Notices the process's death (we may not be its parent after a restart, so no 'exit' event): a death not asked for is a failure. */
  private watchProcess(record: SessionRecord): void {
    const poll = () => {
      if (!this.records.read(record.sessionId) || this.stopping.has(record.sessionId)) return;
      if (!record.pid || this.alive(record.pid, record.sessionId)) {
        this.setTimer(record.sessionId, 'watch', setTimeout(poll, 500));
        return;
      }
      this.records.remove(record.sessionId);
      this.clearTimers(record.sessionId);
      if (record.mode === 'headless') {
        // The trainer finished (it uploads its own outputs); the session stays until it is stopped.
        this.records.write({ ...record, pid: null });
        return;
      }
      // Kernels live in the dead server's process group; they go with it.
      for (const p of findSessionProcesses(this.stateDir)) if (p.sessionId === record.sessionId) killGroup(p.pid, 'SIGKILL');
      this.emit(this.exited(record, ''));
    };
    this.setTimer(record.sessionId, 'watch', setTimeout(poll, 500));
  }

  private exited(record: SessionRecord, when: string): RuntimeObservation {
    const tail = logTail(record.logFile);
    const pastTrial = Date.parse(record.trialExpiresAt) <= Date.now();
    return {
      sessionId: record.sessionId,
      phase: 'failed',
      reason: pastTrial ? 'DeadlineExceeded' : 'Exited',
      message: pastTrial
        ? 'The notebook server was stopped at the end of the trial.'
        : `The notebook server exited${when ? ` ${when}` : ''}.${tail ? ` Last log lines:\n${tail}` : ''}`,
    };
  }

  /** Nothing outlives its trial: stop (with the save step) at the trial's end. The `timeout` wrapper is the backstop if we are down. */
  private scheduleDeadline(record: SessionRecord): void {
    const ms = Date.parse(record.trialExpiresAt) - Date.now();
    if (ms > 2 ** 31 - 1) return; // beyond setTimeout's range (24 days): the wrapper covers it
    this.setTimer(record.sessionId, 'deadline', setTimeout(() => void this.terminate(record.sessionId, { gracePeriodSeconds: 5 }), Math.max(0, ms)));
  }

  private async commandContext(spec: SessionSpec, workspace: string, withJupyter: boolean): Promise<CommandContext> {
    const runtimeDir = join(this.stateDir, 'jupyter-runtime', spec.sessionId);
    // Per session: its custom.js links back to its own session page (see notebook-ui.ts).
    const configDir = join(this.stateDir, 'jupyter-config', spec.sessionId);
    mkdirSync(runtimeDir, { recursive: true, mode: 0o700 });
    for (const [file, text] of Object.entries(notebookUiFiles(spec.sessionPageUrl))) {
      mkdirSync(dirname(join(configDir, file)), { recursive: true });
      writeFileSync(join(configDir, file), text);
    }
    return {
      repoRoot: this.root,
      workspace,
      runtimeDir,
      configDir,
      jupyterPath: withJupyter ? await this.typeScriptKernel() : null,
      owner: this.stateDir,
      timeoutBin: which('timeout'),
    };
  }

  /** Installed once, by the first launch; launches at the same moment wait for the same install. */
  private typeScriptKernel(): Promise<string | null> {
    this.jupyterPath ??= installTypeScriptKernel(this.root, join(this.options.dataDir, 'jupyter'), pythonOf(this.jupyter()!)).then((result) => {
      if ('error' in result) this.logger.warn(`Notebooks get no TypeScript kernel: ${result.error}`);
      return 'error' in result ? null : result.jupyterPath;
    });
    return this.jupyterPath;
  }

  private jupyter(): string | null {
    if (this.jupyterBin === undefined) {
      const configured = this.options.jupyterCommand;
      if (configured === 'off') this.jupyterBin = null;
      else if (configured) this.jupyterBin = configured.includes('/') ? (existsSync(configured) ? configured : null) : which(configured);
      else this.jupyterBin = which('jupyter');
      if (!this.jupyterBin && configured !== 'off') this.logger.warn(`No Jupyter found (${configured ?? '"jupyter" on PATH'}): sessions run the trainer headless. Install it with: apt-get install -y jupyter-notebook jupyter-nbconvert`);
    }
    return this.jupyterBin;
  }

  /** Alive and really one of ours: a pid can be reused by an unrelated process after ours died. */
  private isOurs(record: SessionRecord): boolean {
    return !!record.pid && this.alive(record.pid, record.sessionId);
  }

  private alive(pid: number, sessionId: string): boolean {
    return isAlive(pid) && isOurProcess(pid, sessionId);
  }

  private emit(o: RuntimeObservation): void {
    this.observations.record(o);
  }

  private setTimer(sessionId: string, kind: TimerKind, t: NodeJS.Timeout): void {
    t.unref();
    const kinds = this.timers.get(sessionId) ?? new Map<TimerKind, NodeJS.Timeout>();
    clearTimeout(kinds.get(kind));
    kinds.set(kind, t);
    this.timers.set(sessionId, kinds);
  }

  private clearTimers(sessionId: string): void {
    this.timers.get(sessionId)?.forEach((t) => clearTimeout(t));
    this.timers.delete(sessionId);
  }
}

/** Node's name for the CPU architecture, as Kubernetes spells it (`x64` is `amd64`). */
function kubernetesArch(arch: string): string {
  return arch === 'x64' ? 'amd64' : arch;
}
