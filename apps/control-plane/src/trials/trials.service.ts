import { ConflictException, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { TrialEndReason, TrialView } from '@trialhub/contracts';
import { AuditActor, AuditService } from '../audit/audit.service';
import { AppConfig } from '../config/app-config';
import { TrialEntity, UserEntity } from '../database/entities';
import { MailService } from '../mail/mail.service';
import { QuotasService } from '../quotas/quotas.service';
import { LifecycleLog } from '../logging/lifecycle-log.service';
import { TrialsRepository } from '../repositories/trials.repository';

@Injectable()
export class TrialsService {
  private readonly logger = new Logger('Trials');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly trials: TrialsRepository,
    private readonly quotas: QuotasService,
    private readonly audit: AuditService,
    private readonly mail: MailService,
    private readonly config: AppConfig,
    private readonly lifecycle: LifecycleLog,
  ) {}

  /** The lifecycle lines for a trial just created (after its transaction committed). */
  logCreated(trial: TrialEntity, how: 'at sign-up' | 'granted', signUp = false): void {
    const ids = { userId: trial.userId, trialId: trial.id };
    if (signUp) this.lifecycle.signedUp(ids, trial.state);
    if (trial.state === 'active') this.lifecycle.trialStarted(ids, trial.expiresAt, how);
    else this.lifecycle.trialWaitlisted(ids);
  }

  /** A new trial: active at once while there is room and nobody waits, otherwise waitlisted. */
  async createForUser(userId: string, manager: EntityManager): Promise<TrialEntity> {
    await this.trials.lockAdmission(manager);
    const quotas = await this.quotas.current(manager);
    const { active, waiting } = await this.trials.counts(manager);
    const room = quotas.maxActiveTrials === null || active < quotas.maxActiveTrials;
    const now = new Date();
    const trial = manager.create(TrialEntity, { userId, state: 'waitlisted' });
    if (room && waiting === 0) Object.assign(trial, { state: 'active', activatedAt: now, expiresAt: new Date(now.getTime() + quotas.trialDurationMs) });
    return this.trials.save(trial, manager);
  }

  /** The user's most recent trial. */
  async latestFor(userId: string, manager: EntityManager = this.dataSource.manager): Promise<TrialEntity | null> {
    return manager.findOne(TrialEntity, { where: { userId }, order: { createdAt: 'DESC' } });
  }

  async view(trial: TrialEntity): Promise<TrialView> {
    let position: number | null = null;
    if (trial.state === 'waitlisted') {
      position = (await this.trials.waitlistedAhead(trial)) + 1;
    }
    const secondsLeft = trial.state === 'active' && trial.expiresAt ? Math.max(0, Math.floor((trial.expiresAt.getTime() - Date.now()) / 1000)) : null;
    return {
      id: trial.id,
      state: trial.state,
      position,
      createdAt: trial.createdAt.toISOString(),
      activatedAt: trial.activatedAt?.toISOString() ?? null,
      expiresAt: trial.expiresAt?.toISOString() ?? null,
      secondsLeft,
      endedAt: trial.endedAt?.toISOString() ?? null,
      endReason: trial.endReason,
      sessionsAllowed: (await this.quotas.forUser(trial.userId)).sessionsPerUser,
    };
  }

  async currentView(userId: string): Promise<TrialView> {
    const trial = await this.latestFor(userId);
    if (!trial) throw new NotFoundException('You have no trial. Contact the Trialhub team to get one.');
    return this.view(trial);
  }

  /** Ends a trial (its sessions and workspace are torn down by the reconciler); admits the next waiting one. */
  async end(trialId: string, reason: TrialEndReason, actor: AuditActor): Promise<TrialEntity> {
    const ended = await this.dataSource.transaction(async (manager) => {
      const trial = await manager.findOne(TrialEntity, { where: { id: trialId }, lock: { mode: 'pessimistic_write' } });
      if (!trial) throw new NotFoundException('No such trial.');
      if (trial.state === 'ended') throw new ConflictException('This trial has already ended.');
      Object.assign(trial, { state: 'ended', endedAt: new Date(), endReason: reason });
      await this.trials.save(trial, manager);
      await this.audit.record(actor, 'trial.end', { type: 'trial', id: trial.id }, { reason, userId: trial.userId }, manager);
      return trial;
    });
    this.lifecycle.trialEnded({ userId: ended.userId, trialId: ended.id }, reason);
    await this.admitWaitlisted();
    return ended;
  }

  async endCurrent(userId: string, email: string): Promise<TrialView> {
    const trial = await this.latestFor(userId);
    if (!trial || trial.state === 'ended') throw new NotFoundException('You have no running or waiting trial to end.');
    return this.view(await this.end(trial.id, 'user', { id: userId, email }));
  }

  /** Admits waitlisted trials first-in first-out while there is room. Returns how many were admitted. */
  async admitWaitlisted(limit?: number, actor?: AuditActor): Promise<TrialEntity[]> {
    return this.logAdmitted(await this.dataSource.transaction(async (manager) => {
      await this.trials.lockAdmission(manager);
      const quotas = await this.quotas.current(manager);
      const { active } = await this.trials.counts(manager);
      const room = quotas.maxActiveTrials === null ? Number.MAX_SAFE_INTEGER : Math.max(0, quotas.maxActiveTrials - active);
      const take = Math.min(room, limit ?? room);
      return take > 0 ? this.activateNext(manager, take, quotas.trialDurationMs, actor) : [];
    }));
  }

  private logAdmitted(admitted: TrialEntity[]): TrialEntity[] {
    for (const t of admitted) this.lifecycle.trialStarted({ userId: t.userId, trialId: t.id }, t.expiresAt, 'from the waitlist');
    return admitted;
  }

  /** Admin: admit the next N regardless of the active-trial cap. */
  async admitNext(count: number, actor: AuditActor): Promise<TrialEntity[]> {
    return this.logAdmitted(await this.dataSource.transaction(async (manager) => {
      await this.trials.lockAdmission(manager);
      const quotas = await this.quotas.current(manager);
      return this.activateNext(manager, count, quotas.trialDurationMs, actor);
    }));
  }

  private async activateNext(manager: EntityManager, count: number, durationMs: number, actor?: AuditActor): Promise<TrialEntity[]> {
    const admitted = await this.trials.activate(manager, durationMs, { count });
    for (const trial of admitted) {
      await this.audit.record(actor ?? { id: null, email: 'system' }, 'trial.admit', { type: 'trial', id: trial.id }, { userId: trial.userId }, manager);
      const user = await manager.findOne(UserEntity, { where: { id: trial.userId } });
      if (user) {
        void this.mail.send({
          to: user.email,
          subject: 'Your Trialhub trial has started',
          text: `Good news: your place in the queue came up. Your 24-hour GPU trial runs until ${trial.expiresAt!.toISOString()}.\n\nLaunch a notebook: ${this.config.publicUrl}/\n`,
        });
      }
    }
    return admitted;
  }

  /** Admin: push the end of an active trial back (pods get the new deadline on their next launch). */
  async extend(trialId: string, hours: number, actor: AuditActor): Promise<TrialEntity> {
    return this.dataSource.transaction(async (manager) => {
      const trial = await manager.findOne(TrialEntity, { where: { id: trialId }, lock: { mode: 'pessimistic_write' } });
      if (!trial) throw new NotFoundException('No such trial.');
      if (trial.state !== 'active' || !trial.expiresAt) throw new ConflictException(`Only an active trial can be extended; this one is ${trial.state}.`);
      trial.expiresAt = new Date(trial.expiresAt.getTime() + hours * 3_600_000);
      trial.warnedAt = null;
      await this.trials.save(trial, manager);
      await this.audit.record(actor, 'trial.extend', { type: 'trial', id: trial.id }, { hours, userId: trial.userId, expiresAt: trial.expiresAt.toISOString() }, manager);
      return trial;
    });
  }

  /** Admin: another trial for a user whose last one ended (one trial per user otherwise). */
  async grant(userId: string, actor: AuditActor): Promise<TrialEntity> {
    const granted = await this.dataSource.transaction(async (manager) => {
      const latest = await this.latestFor(userId, manager);
      if (latest && latest.state !== 'ended') throw new ConflictException(`This user's trial is still ${latest.state}; end it before granting another.`);
      const trial = await this.createForUser(userId, manager);
      await this.audit.record(actor, 'trial.grant', { type: 'trial', id: trial.id }, { userId, state: trial.state }, manager);
      return trial;
    });
    this.logCreated(granted, 'granted');
    return granted;
  }

  /** Ends every active trial past its expiry. Safe on several replicas: the UPDATE claims each row once. */
  async expireDue(): Promise<string[]> {
    const rows = await this.trials.expireDue();
    for (const row of rows) {
      await this.audit.record({ id: null, email: 'system' }, 'trial.end', { type: 'trial', id: row.id }, { reason: 'expired', userId: row.user_id });
      this.lifecycle.trialEnded({ userId: row.user_id, trialId: row.id }, 'expired');
    }
    if (rows.length) {
      this.logger.log(`${rows.length} trial(s) expired`);
      await this.admitWaitlisted();
    }
    return rows.map((r) => r.id);
  }

  /** Mails each user once, an hour before the trial ends. */
  async warnExpiring(): Promise<number> {
    const rows = await this.trials.markWarned();
    for (const row of rows) {
      await this.mail.send({
        to: row.email,
        subject: 'Your Trialhub trial ends in less than an hour',
        text: `Your trial ends at ${new Date(row.expires_at).toISOString()}. Then your notebook and workspace are deleted.\n\nSave what you want to keep: run the last cell of the notebook ("Save to Trialhub"), or download files from Jupyter. Saved results and their share links stay available after the trial.\n\n${this.config.publicUrl}/\n`,
      });
    }
    return rows.length;
  }
}
