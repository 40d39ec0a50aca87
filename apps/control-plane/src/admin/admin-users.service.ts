import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource } from 'typeorm';
import { ACTIVE_SESSION_STATES } from '@trialhub/contracts';
import { AuditService } from '../audit/audit.service';
import { AuthTokenCache } from '../auth/auth-token-cache';
import type { AuthUser } from '../auth/auth-user';
import { AuthTokenEntity, SessionEntity, TrialEntity, UserEntity, UserQuotaEntity } from '../database/entities';
import { SessionsService } from '../sessions/sessions.service';
import { TrialsService } from '../trials/trials.service';
import { toUserView } from '../users/users.service';
import type { UserQuotaDto } from './dto/admin.dto';

/** Admin actions on users: search, view, trials, suspension, role, per-user quotas. Each is audited. */
@Injectable()
export class AdminUsersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly trials: TrialsService,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
    private readonly tokenCache: AuthTokenCache,
  ) {}

  async search(q: string | undefined, limit = 50) {
    const qb = this.dataSource.manager.createQueryBuilder(UserEntity, 'u').orderBy('u.created_at', 'DESC').take(limit);
    if (q) qb.where(new Brackets((w) => w.where('u.email ILIKE :q', { q: `%${q.replace(/[%_\\]/g, (c) => `\\${c}`)}%` }).orWhere('u.id::text = :exact', { exact: q })));
    const users = await qb.getMany();
    const trials = users.length
      ? await this.dataSource.query(`SELECT DISTINCT ON (user_id) user_id, id, state, expires_at FROM trials WHERE user_id = ANY($1) ORDER BY user_id, created_at DESC`, [users.map((u) => u.id)])
      : [];
    const byUser = new Map<string, { id: string; state: string; expires_at: Date | null }>(trials.map((t: { user_id: string }) => [t.user_id, t]));
    return users.map((u) => {
      const t = byUser.get(u.id);
      return { ...toUserView(u), trial: t ? { id: t.id, state: t.state, expiresAt: t.expires_at ? new Date(t.expires_at).toISOString() : null } : null };
    });
  }

  async detail(id: string) {
    const user = await this.findUser(id);
    const [trials, sessions, quota] = await Promise.all([
      this.dataSource.manager.find(TrialEntity, { where: { userId: id }, order: { createdAt: 'DESC' } }),
      this.dataSource.manager.find(SessionEntity, { where: { userId: id }, order: { createdAt: 'DESC' }, take: 100 }),
      this.dataSource.manager.findOne(UserQuotaEntity, { where: { userId: id } }),
    ]);
    return {
      user: { ...toUserView(user), suspendedReason: user.suspendedReason },
      trials: await Promise.all(trials.map((t) => this.trials.view(t))),
      sessions: sessions.map((s) => ({ id: s.id, profile: s.profileName, state: s.state, reason: s.reason, node: s.node, createdAt: s.createdAt.toISOString(), stoppedAt: s.stoppedAt?.toISOString() ?? null })),
      quota: quota ? { sessionsPerUser: quota.sessionsPerUser, storageBytes: quota.storageBytes, allowedProfiles: quota.allowedProfiles } : null,
    };
  }

  /** Suspending ends the user's log-ins and stops their sessions; they cannot log in or launch until reinstated. */
  async suspend(admin: AuthUser, id: string, reason: string | undefined) {
    const user = await this.findUser(id);
    if (user.id === admin.id) throw new BadRequestException('You cannot suspend your own account.');
    await this.dataSource.transaction(async (m) => {
      await m.update(UserEntity, { id }, { suspendedAt: new Date(), suspendedReason: reason ?? null });
      await m.delete(AuthTokenEntity, { userId: id });
      await this.audit.record(admin, 'user.suspend', { type: 'user', id }, { reason: reason ?? null, email: user.email }, m);
    });
    this.tokenCache.forgetUser(id);
    const live = await this.dataSource.manager.find(SessionEntity, { where: { userId: id } });
    for (const s of live.filter((x) => ACTIVE_SESSION_STATES.includes(x.state) && x.state !== 'stopping')) await this.sessions.stop(admin, s.id, 'admin');
    return this.detail(id);
  }

  async reinstate(admin: AuthUser, id: string) {
    await this.findUser(id);
    await this.dataSource.transaction(async (m) => {
      await m.update(UserEntity, { id }, { suspendedAt: null, suspendedReason: null });
      await this.audit.record(admin, 'user.reinstate', { type: 'user', id }, {}, m);
    });
    this.tokenCache.forgetUser(id);
    return this.detail(id);
  }

  async setRole(admin: AuthUser, id: string, role: 'user' | 'admin') {
    const user = await this.findUser(id);
    if (user.id === admin.id && role !== 'admin') throw new BadRequestException('You cannot remove your own admin role.');
    await this.dataSource.transaction(async (m) => {
      await m.update(UserEntity, { id }, { role });
      await this.audit.record(admin, 'user.role', { type: 'user', id }, { from: user.role, to: role }, m);
    });
    this.tokenCache.forgetUser(id);
    return this.detail(id);
  }

  async setQuota(admin: AuthUser, id: string, dto: UserQuotaDto) {
    await this.findUser(id);
    await this.dataSource.transaction(async (m) => {
      await m.upsert(UserQuotaEntity, { userId: id, sessionsPerUser: dto.sessionsPerUser ?? null, storageBytes: dto.storageBytes ?? null, allowedProfiles: dto.allowedProfiles ?? null }, ['userId']);
      await this.audit.record(admin, 'user.quota', { type: 'user', id }, { ...dto }, m);
    });
    return this.detail(id);
  }

  async extendTrial(admin: AuthUser, id: string, hours: number) {
    const trial = await this.latestTrial(id);
    await this.trials.extend(trial.id, hours, admin);
    return this.detail(id);
  }

  async endTrial(admin: AuthUser, id: string) {
    const trial = await this.latestTrial(id);
    await this.trials.end(trial.id, 'admin', admin);
    return this.detail(id);
  }

  async grantTrial(admin: AuthUser, id: string) {
    await this.findUser(id);
    await this.trials.grant(id, admin);
    return this.detail(id);
  }

  private async latestTrial(userId: string): Promise<TrialEntity> {
    await this.findUser(userId);
    const trial = await this.trials.latestFor(userId);
    if (!trial) throw new NotFoundException('This user has no trial; grant one.');
    return trial;
  }

  private async findUser(id: string): Promise<UserEntity> {
    const user = await this.dataSource.manager.findOne(UserEntity, { where: { id } });
    if (!user) throw new NotFoundException('No such user.');
    return user;
  }
}
