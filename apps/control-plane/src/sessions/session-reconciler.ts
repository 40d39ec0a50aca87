import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { SessionState } from '@trialhub/contracts';
import { AppConfig } from '../config/app-config';
import { SessionEntity } from '../database/entities';
import { isTransientDatabaseError } from '../database/transient-errors';
import { timedBootPhase } from '../logging/boot-phases';
import { SessionsRepository } from '../repositories/sessions.repository';
import { SESSION_RUNTIME, SessionRuntime, TransientRuntimeError } from '../runtime/session-runtime';
import { GarbageCollector } from './garbage-collector';
import { ReconcilerSignal } from './reconciler-signal';
import { SessionAdmission } from './session-admission';
import { SessionDeadlines } from './session-deadlines';
import { SessionLauncher } from './session-launcher';
import { decide } from './session-observation';
import { LOST_AFTER_MS, SessionObserver } from './session-observer';
import { SessionTeardown } from './session-teardown';
import { TrialTeardown } from './trial-teardown';
import { WorkQueue } from './work-queue';

/** States whose next step is due on a timer (a backstop for a missed runtime event). */
const TIMED_STATES: readonly SessionState[] = ['provisioning', 'starting', 'waiting', 'stopping'];

/**
 * The control loop (DESIGN.md): the API records intent, this makes the world match it. It only
 * schedules; each responsibility is its own unit — admission (SessionAdmission), provisioning
 * (SessionLauncher), observation (SessionObserver), stopping and failing (SessionTeardown),
 * deadlines (SessionDeadlines), workspaces of ended trials (TrialTeardown), garbage collection.
 * Work is claimed with leases taken by `UPDATE … FOR UPDATE SKIP LOCKED`, so several replicas
 * share it and never act on one session at the same time.
 */
@Injectable()
export class SessionReconciler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Reconciler');
  readonly replicaId = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  private readonly queue: WorkQueue;
  private timer: NodeJS.Timeout | undefined;
  private gcTimer: NodeJS.Timeout | undefined;
  private unwatch: (() => void) | undefined;
  private passRunning = false;
  private passAgain = false;
  private stopped = false;
  private readonly leaseMs: number;
  /** The state each session had when this replica last stepped it (see onObservation). */
  private readonly lastSeen = new Map<string, SessionState>();

  constructor(
    private readonly sessions: SessionsRepository,
    @Inject(SESSION_RUNTIME) private readonly runtime: SessionRuntime,
    private readonly config: AppConfig,
    private readonly signal: ReconcilerSignal,
    private readonly admission: SessionAdmission,
    private readonly launcher: SessionLauncher,
    private readonly observer: SessionObserver,
    private readonly teardown: SessionTeardown,
    private readonly deadlines: SessionDeadlines,
    private readonly trialTeardown: TrialTeardown,
    private readonly gc: GarbageCollector,
  ) {
    this.leaseMs = Math.max(5000, config.schedulerIntervalMs * 10);
    // Most of a step is waiting on the API server (a pod to go, a create to answer), not CPU: many run at once.
    this.queue = new WorkQueue(128, (id) => this.processSession(id));
  }

  async onApplicationBootstrap(): Promise<void> {
    await timedBootPhase('runtime-start', () => this.runtime.start());
    this.unwatch = this.runtime.watch((obs) => this.onObservation(obs.sessionId));
    this.signal.onWake(() => void this.pass());
    await timedBootPhase('reconciler-triage', () => this.triageOpenSessions());
    this.timer = setInterval(() => void this.pass(), Math.min(1000, this.config.schedulerIntervalMs));
    this.gcTimer = setInterval(() => void this.collectGarbage(), Math.max(2000, this.config.schedulerIntervalMs * 20));
    void this.pass();
    void this.collectGarbage();
  }

  /**
   * After a restart: compare every session that may hold runtime objects, whoever last drove it,
   * with what the runtime reports (its cache is warm once `start` returns), and queue only those
   * with something to do. 10,000 healthy sessions cost one query, not 10,000 claims.
   */
  private async triageOpenSessions(): Promise<void> {
    const now = Date.now();
    for (const s of await this.sessions.findWithRuntimeObjects()) {
      const actionable =
        s.state === 'provisioning' ||
        s.state === 'stopping' ||
        decide(s.state, this.runtime.observe(s.id), now - (s.startedAt?.getTime() ?? s.queuedAt.getTime()), LOST_AFTER_MS).kind !== 'none';
      if (actionable) this.queue.add(s.id);
    }
    // Starting and waiting sessions with nothing new are looked at again by `enqueueDue` when their check is due.
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearInterval(this.gcTimer);
    this.unwatch?.();
    await this.queue.drain();
    await this.runtime.shutdown();
  }

  /** One pass: deadlines, admission, due work, trial teardown. Re-entrant calls coalesce. */
  async pass(): Promise<void> {
    if (this.stopped) return;
    if (this.passRunning) {
      this.passAgain = true;
      return;
    }
    this.passRunning = true;
    try {
      do {
        this.passAgain = false;
        await this.enforceDeadlines();
        await this.admit();
        for (const id of await this.sessions.dueIds(TIMED_STATES, 1000)) this.queue.add(id);
        await this.tearDownEndedTrials();
      } while (this.passAgain && !this.stopped);
    } catch (err) {
      if (!this.stopped) this.logger.error({ err }, 'Reconcile pass failed; retrying');
    } finally {
      this.passRunning = false;
    }
  }

  async enforceDeadlines(): Promise<void> {
    for (const id of await this.deadlines.enforce()) this.queue.add(id);
  }

  async admit(): Promise<void> {
    for (const id of await this.admission.admit()) this.queue.add(id);
  }

  tearDownEndedTrials(): Promise<void> {
    return this.trialTeardown.run();
  }

  async collectGarbage(): Promise<{ sessions: string[]; trials: string[] }> {
    try {
      return await this.gc.collect();
    } catch (err) {
      if (!this.stopped) this.logger.warn(`Garbage collection failed (${(err as Error).message}); retrying later`);
      return { sessions: [], trials: [] };
    }
  }

  /** One step for one session, under its lease; transient runtime and database errors are retried, never recorded as failures. */
  async processSession(id: string): Promise<void> {
    if (this.stopped) return;
    const session = await this.sessions.claim(id, this.replicaId, this.leaseMs);
    if (!session) return;
    let retryInMs: number | null = null;
    try {
      retryInMs = await this.step(session);
    } catch (err) {
      if (err instanceof TransientRuntimeError) {
        retryInMs = 2000;
        this.logger.warn(`Session ${id}: the runtime is unavailable (${err.message}); retrying`);
      } else if (isTransientDatabaseError(err)) {
        retryInMs = 2000;
        this.logger.warn(`Session ${id}: the database is busy or unavailable (${(err as Error).message}); retrying`);
      } else {
        this.logger.error({ err, sessionId: id }, 'Session step failed');
        await this.teardown.fail(session, 'RuntimeError', `The notebook could not be started: ${(err as Error).message}`).catch(() => undefined);
      }
    } finally {
      if (session.state === 'stopped' || session.state === 'failed') this.lastSeen.delete(id);
      else {
        // Sessions another replica finished stay here; a cap keeps that bounded (losing hints is harmless).
        if (this.lastSeen.size >= 50_000) this.lastSeen.clear();
        this.lastSeen.set(id, session.state);
      }
      await this.sessions.release(id, this.replicaId, retryInMs).catch((err) => this.logger.error({ err }, 'Could not release a session lease'));
    }
  }

  /**
   * A runtime event: queue the session unless, by the state this replica last saw, the event
   * changes nothing (a pod moving from "pulling" to "creating" while the session is starting).
   * A hint only: another replica may have moved the session meanwhile, which the claim sees; a
   * skipped event is looked at again by the timed backstop.
   */
  private onObservation(sessionId: string): void {
    const known = this.lastSeen.get(sessionId);
    if (known && known !== 'stopping' && known !== 'provisioning' && decide(known, this.runtime.observe(sessionId), 0, LOST_AFTER_MS).kind === 'none') return;
    this.queue.add(sessionId);
  }

  /** Returns when to look again (ms), or null when only a runtime event or an API call should wake it. */
  private step(s: SessionEntity): Promise<number | null> {
    switch (s.state) {
      case 'provisioning':
        return this.launcher.provision(s);
      case 'stopping':
        return this.teardown.stop(s);
      case 'starting':
      case 'waiting':
      case 'ready':
        return this.observer.observe(s);
      default:
        return Promise.resolve(null);
    }
  }

  /** For tests and benchmarks: wait until nothing is queued in this replica. */
  idle(): Promise<void> {
    return this.queue.drain();
  }

  recordEvent(sessionId: string, message: string): Promise<void> {
    return this.sessions.recordEvent(sessionId, message);
  }
}
