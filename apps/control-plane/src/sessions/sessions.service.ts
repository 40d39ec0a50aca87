import { ConflictException, ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, MoreThan, SelectQueryBuilder } from 'typeorm';
import { RUNTIME_SESSION_STATES, SessionView } from '@trialhub/contracts';
import { AuditService } from '../audit/audit.service';
import type { AuthUser } from '../auth/auth-user';
import { AppConfig } from '../config/app-config';
import { SessionEntity, SessionEventEntity, TrialEntity, UserEntity } from '../database/entities';
import { ProfilesService } from '../profiles/profiles.service';
import { QuotasService } from '../quotas/quotas.service';
import { ReconcilerSignal } from './reconciler-signal';
import { SessionsRepository } from '../repositories/sessions.repository';
import { toSessionView } from './session-view';
import { SessionViewCache } from './session-view-cache';
import { SESSION_VIEW_EXTRAS, SESSION_VIEW_EXTRAS_SQL, SessionViewExtrasRow } from './session-view-query';

@Injectable()
export class SessionsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly sessions: SessionsRepository,
    private readonly config: AppConfig,
    private readonly profiles: ProfilesService,
    private readonly quotas: QuotasService,
    private readonly audit: AuditService,
    private readonly signal: ReconcilerSignal,
    private readonly viewCache: SessionViewCache,
  ) {}

  /** Checks trial, verification and quotas in one transaction and records a queued session; the reconciler does the rest. */
  async launch(auth: AuthUser, profileName: string | undefined): Promise<SessionView> {
    const session = await this.dataSource.transaction(async (manager) => {
      // Serialises one user's launches, so the per-user limit holds under concurrent requests.
      const user = await manager.findOne(UserEntity, { where: { id: auth.id }, lock: { mode: 'pessimistic_write' } });
      if (!user || user.suspendedAt) throw new ForbiddenException('This account is suspended.');
      if (this.config.mail.verification === 'required' && !user.verifiedAt) {
        throw new ForbiddenException('Verify your email address first: open the link we mailed you (or ask for a new one on your account page).');
      }
      const trial = await this.activeTrial(manager, auth.id);
      const profile = await this.profiles.resolve(profileName, manager);
      const quotas = await this.quotas.forUser(auth.id, manager);
      if (quotas.allowedProfiles && !quotas.allowedProfiles.includes(profile.name)) {
        throw new ForbiddenException(`Your account may use these profiles: ${quotas.allowedProfiles.join(', ')}.`);
      }
      await this.assertUnderSessionLimit(manager, auth.id, quotas.sessionsPerUser);
      const created = await this.sessions.createQueued(manager, { userId: auth.id, trialId: trial.id, profileName: profile.name }, `Queued a ${profile.displayName} session`);
      await this.audit.record(auth, 'session.launch', { type: 'session', id: created.id }, { profile: profile.name }, manager);
      return created;
    });
    this.signal.wake();
    return this.view(session);
  }

  /** The user's 50 newest sessions, rows and view extras in one round trip. */
  async list(auth: AuthUser): Promise<SessionView[]> {
    return this.loadViews((q) => q.where('s.user_id = :userId', { userId: auth.id }).orderBy('s.created_at', 'DESC').limit(50));
  }

  /** From the replica's view cache when it has it, else the row and its view's extras in one round trip; ownership checked every time. */
  async get(auth: AuthUser, id: string): Promise<SessionView> {
    const view = await this.viewCache.get(id, () => this.loadView(id));
    if (!view || (view.userId !== auth.id && auth.role !== 'admin')) throw new NotFoundException('No such session.');
    return view;
  }

  private async loadView(id: string): Promise<SessionView | null> {
    const [view] = await this.loadViews((q) => q.where('s.id = :id', { id }));
    return view ?? null;
  }

  /** Sessions chosen by `select`, each with its view's extras, in one query. */
  private async loadViews(select: (q: SelectQueryBuilder<SessionEntity>) => SelectQueryBuilder<SessionEntity>): Promise<SessionView[]> {
    let query = select(this.dataSource.manager.createQueryBuilder(SessionEntity, 's'));
    for (const [alias, sql] of Object.entries(SESSION_VIEW_EXTRAS)) query = query.addSelect(sql, alias);
    const { entities, raw } = await query.getRawAndEntities<SessionViewExtrasRow & { s_id: string }>();
    const extras = new Map(raw.map((r) => [r.s_id, r]));
    return entities.map((e) => this.toView(e, extras.get(e.id)!));
  }

  /**
   * Stopping is asynchronous: the answer shows `stopping` and the reconciler deletes the runtime's
   * objects (a waiting session's pending pod included, at once); a queued session has none and stops at once.
   */
  async stop(auth: AuthUser, id: string, reason: 'user' | 'admin' = 'user'): Promise<SessionView> {
    const session = await this.dataSource.transaction(async (manager) => {
      const s = await this.findVisible(auth, id, manager, true);
      const who = reason === 'admin' ? 'an administrator' : 'you';
      if (s.state === 'queued') {
        await this.sessions.transition(manager, s, { to: 'stopped', reason, message: `Stopped by ${who} before it started`, patch: { stoppedAt: new Date(), stopReason: reason, reason: null } });
      } else if (RUNTIME_SESSION_STATES.includes(s.state) && s.state !== 'stopping') {
        await this.sessions.transition(manager, s, { to: 'stopping', reason, message: `Stopping: asked by ${who}`, patch: { stopReason: reason, nextCheckAt: null } });
      } else return s;
      await this.audit.record(auth, reason === 'admin' ? 'session.force-stop' : 'session.stop', { type: 'session', id: s.id }, { userId: s.userId }, manager);
      return s;
    });
    this.signal.wake();
    return this.view(session);
  }

  /** A stopped (or failed) session starts again with the same workspace, while the trial lasts. */
  async resume(auth: AuthUser, id: string): Promise<SessionView> {
    const session = await this.dataSource.transaction(async (manager) => {
      await manager.findOne(UserEntity, { where: { id: auth.id }, lock: { mode: 'pessimistic_write' } });
      const s = await this.findVisible(auth, id, manager, true);
      if (s.state !== 'stopped' && s.state !== 'failed') throw new ConflictException(`Only a stopped session can be resumed; this one is ${s.state}.`);
      const trial = await this.activeTrial(manager, s.userId);
      if (trial.id !== s.trialId) throw new ConflictException('This session belongs to an earlier trial; launch a new session instead.');
      const quotas = await this.quotas.forUser(s.userId, manager);
      await this.assertUnderSessionLimit(manager, s.userId, quotas.sessionsPerUser);
      await this.sessions.transition(manager, s, {
        to: 'queued',
        reason: 'resume',
        message: 'Resumed: queued again with the same workspace',
        patch: { queuedAt: new Date(), reason: null, stopReason: null, stoppedAt: null, readyAt: null, startedAt: null, lastActivityAt: null, endpointHost: null, endpointPort: null, node: null, nextCheckAt: null },
      });
      await this.audit.record(auth, 'session.resume', { type: 'session', id: s.id }, {}, manager);
      return s;
    });
    this.signal.wake();
    return this.view(session);
  }

  /** Events after `afterId`, for the live stream. */
  async eventsAfter(auth: AuthUser, id: string, afterId: string): Promise<{ session: SessionEntity; events: SessionEventEntity[] }> {
    const session = await this.findVisible(auth, id);
    const events = await this.dataSource.manager.find(SessionEventEntity, { where: { sessionId: id, id: MoreThan(afterId) }, order: { id: 'ASC' }, take: 500 });
    return { session, events };
  }

  async view(s: SessionEntity, manager: EntityManager = this.dataSource.manager): Promise<SessionView> {
    const [extra]: SessionViewExtrasRow[] = await manager.query(`SELECT ${SESSION_VIEW_EXTRAS_SQL} FROM sessions s WHERE s.id = $1`, [s.id]);
    return this.toView(s, extra);
  }

  private toView(s: SessionEntity, extra: SessionViewExtrasRow): SessionView {
    const quotaMaxRuntime = extra.view_max_runtime_ms !== null ? Number(extra.view_max_runtime_ms) : this.quotas.defaults().sessionMaxRuntimeMs;
    return toSessionView(s, {
      events: (extra.view_events ?? []).map((e) => ({ ...e, at: new Date(e.at) }) as SessionEventEntity),
      queuePosition: extra.view_ahead === null ? null : extra.view_ahead + 1,
      trialExpiresAt: extra.view_trial_expires_at,
      maxRuntimeMs: s.maxRuntimeMs !== null ? Number(s.maxRuntimeMs) : quotaMaxRuntime,
    });
  }

  /** Owners see their sessions, admins all; anyone else gets 404 (not 403), so ids do not leak. */
  async findVisible(auth: AuthUser, id: string, manager: EntityManager = this.dataSource.manager, lock = false): Promise<SessionEntity> {
    const s = await manager.findOne(SessionEntity, { where: { id }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
    if (!s || (s.userId !== auth.id && auth.role !== 'admin')) throw new NotFoundException('No such session.');
    return s;
  }

  private async activeTrial(manager: EntityManager, userId: string): Promise<TrialEntity> {
    const trial = await manager.findOne(TrialEntity, { where: { userId }, order: { createdAt: 'DESC' } });
    if (!trial) throw new ConflictException('You have no trial. Contact the Trialhub team to get one.');
    if (trial.state === 'waitlisted') throw new ConflictException('Your trial has not started yet: you are on the waitlist. We will mail you when it starts.');
    if (trial.state === 'ended' || (trial.expiresAt && trial.expiresAt <= new Date())) {
      throw new ConflictException('Your trial has ended, so no new sessions can start. Your saved results are still available.');
    }
    return trial;
  }

  private async assertUnderSessionLimit(manager: EntityManager, userId: string, limit: number): Promise<void> {
    const running = await this.sessions.countActiveOf(userId, manager);
    if (running >= limit) {
      throw new ConflictException(`You already have ${running} session${running === 1 ? '' : 's'} running or queued (your limit is ${limit}). Stop one before launching another.`);
    }
  }

  /** Used by the reconciler and the proxy. */
  recordEvent(sessionId: string, message: string, reason: string | null = null): Promise<void> {
    return this.sessions.recordEvent(sessionId, message, reason);
  }
}
