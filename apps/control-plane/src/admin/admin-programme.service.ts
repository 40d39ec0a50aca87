import { BadRequestException, ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { SessionState, TrialState } from '@trialhub/contracts';
import { AuditService } from '../audit/audit.service';
import type { AuthUser } from '../auth/auth-user';
import { ProfileEntity, TrialEntity } from '../database/entities';
import { queryRows } from '../database/query-rows';
import { DEFAULT_PROFILES } from '../profiles/default-profiles';
import { ProfilesService, toProfileView } from '../profiles/profiles.service';
import { Quotas } from '../quotas/quotas';
import { QuotasService } from '../quotas/quotas.service';
import { RuntimeCapacity, SESSION_RUNTIME, SessionRuntime } from '../runtime/session-runtime';
import { SessionsRepository } from '../repositories/sessions.repository';
import { TrialsRepository } from '../repositories/trials.repository';
import { ReconcilerSignal } from '../sessions/reconciler-signal';
import { SessionsService } from '../sessions/sessions.service';
import { TrialsService } from '../trials/trials.service';
import type { CreateProfileDto, UpdateProfileDto } from './dto/admin.dto';

/** Quotas, profiles, capacity and the waitlist: the knobs of the trial programme. */
/** Sessions a lower slot count stops (waiting ones hold no slot; stopping ones are going anyway). */
const STOPPABLE_BEYOND_SLOTS: readonly SessionState[] = ['provisioning', 'starting', 'ready'];

@Injectable()
export class AdminProgrammeService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SESSION_RUNTIME) private readonly runtime: SessionRuntime,
    private readonly quotas: QuotasService,
    private readonly profiles: ProfilesService,
    private readonly trials: TrialsService,
    private readonly audit: AuditService,
    private readonly signal: ReconcilerSignal,
    private readonly sessions: SessionsService,
    private readonly sessionRows: SessionsRepository,
    private readonly trialRows: TrialsRepository,
  ) {}

  getQuotas(): Promise<Quotas> {
    return this.quotas.current();
  }

  /**
   * Applies to new work at once. Running sessions keep the maximum runtime and idle timeout they
   * started with unless the admin asks (`applyToRunning`); then the next pass stops those past them.
   */
  async updateQuotas(admin: AuthUser, { applyToRunning, ...patch }: Partial<Quotas> & { applyToRunning?: boolean }): Promise<Quotas> {
    const before = await this.quotas.current();
    const after = await this.dataSource.transaction(async (m) => {
      const q = await this.quotas.update(patch, m);
      let sessionsUpdated = 0;
      if (applyToRunning && (patch.sessionMaxRuntimeMs !== undefined || patch.idleTimeoutMs !== undefined)) {
        sessionsUpdated = await this.sessionRows.setLimitsOfUnfinished(m, patch.sessionMaxRuntimeMs ?? null, patch.idleTimeoutMs ?? null);
      }
      await this.audit.record(admin, 'quotas.update', { type: 'quotas', id: 'global' }, { before: pick(before, patch), after: pick(q, patch), ...(applyToRunning ? { applyToRunning, sessionsUpdated } : {}) }, m);
      return q;
    });
    // More room may admit waiting trials and sessions right away (and lower limits stop sessions past them).
    await this.trials.admitWaitlisted();
    this.signal.wake();
    return after;
  }

  async listProfiles() {
    const [profiles, used] = await Promise.all([this.profiles.list(), this.profiles.slotsInUse()]);
    return profiles.map((p) => ({ ...p, slotsUsed: used.get(p.name) ?? 0 }));
  }

  async createProfile(admin: AuthUser, dto: CreateProfileDto) {
    if (await this.dataSource.manager.findOne(ProfileEntity, { where: { name: dto.name } })) throw new ConflictException(`A profile named "${dto.name}" exists; edit it instead.`);
    const base = DEFAULT_PROFILES.find((p) => p.name === 'cpu')!;
    await this.dataSource.transaction(async (m) => {
      if (dto.isDefault) await m.update(ProfileEntity, {}, { isDefault: false });
      await m.insert(ProfileEntity, { ...base, isDefault: false, ...definedOnly(dto) });
      await this.audit.record(admin, 'profile.create', { type: 'profile', id: dto.name }, { ...dto }, m);
    });
    this.signal.wake();
    return this.profiles.get(dto.name);
  }

  /**
   * Lowering slots never stops running sessions unless the admin asks (`stopExcess`): by default
   * new launches simply queue until usage falls below.
   */
  async updateProfile(admin: AuthUser, name: string, { stopExcess, ...dto }: UpdateProfileDto) {
    const before = await this.profiles.get(name);
    if (dto.isDefault === false && before.isDefault) throw new BadRequestException('Make another profile the default instead; one profile must be the default.');
    await this.dataSource.transaction(async (m) => {
      if (dto.isDefault) await m.createQueryBuilder().update(ProfileEntity).set({ isDefault: false }).where('name <> :name', { name }).execute();
      await m.update(ProfileEntity, { name }, definedOnly(dto) as Partial<ProfileEntity>);
      await this.audit.record(admin, 'profile.update', { type: 'profile', id: name }, { changes: { ...dto }, slotsBefore: before.slots, stopExcess: stopExcess ?? false }, m);
    });
    const stopped = stopExcess && dto.slots !== undefined ? await this.stopBeyondSlots(admin, name, dto.slots) : [];
    this.signal.wake();
    return { ...(await this.profiles.get(name)), stoppedSessions: stopped };
  }

  /** Stops the most recently started sessions of a profile until no more than `slots` remain (ones already stopping don't count). */
  private async stopBeyondSlots(admin: AuthUser, profile: string, slots: number): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `SELECT id FROM sessions WHERE profile_name = $1 AND state = ANY($2::text[]) ORDER BY COALESCE(started_at, created_at) DESC, id DESC`,
      [profile, STOPPABLE_BEYOND_SLOTS],
    );
    const excess = rows.slice(0, Math.max(0, rows.length - slots));
    for (const { id } of excess) await this.sessions.stop(admin, id, 'admin');
    return excess.map((r) => r.id);
  }

  /** Slots per profile, queues, and the GPUs the cluster reports. */
  async capacity() {
    const [profiles, used, queued, cluster] = await Promise.all([
      this.profiles.list(),
      this.profiles.slotsInUse(),
      this.dataSource.query(`SELECT profile_name, count(*)::int AS n FROM sessions WHERE state = $1 GROUP BY profile_name`, ['queued' satisfies SessionState]),
      this.runtime.capacity().then(
        (c): { nodes: RuntimeCapacity['nodes']; error?: string } => c,
        (err: Error) => ({ nodes: [] as RuntimeCapacity['nodes'], error: err.message }),
      ),
    ]);
    const queue = new Map<string, number>(queued.map((r: { profile_name: string; n: number }) => [r.profile_name, r.n]));
    const nodes = cluster.nodes;
    return {
      runtime: this.runtime.kind,
      profiles: profiles.map((p) => ({ ...toProfileView(p, used.get(p.name) ?? 0), slotsUsed: used.get(p.name) ?? 0, queued: queue.get(p.name) ?? 0 })),
      cluster: {
        nodes,
        gpus: nodes.reduce((n, x) => n + x.gpus, 0),
        gpusUsed: nodes.reduce((n, x) => n + x.gpusUsed, 0),
        ...(cluster.error ? { error: `The runtime did not report capacity: ${cluster.error}` } : {}),
      },
    };
  }

  async waitlist() {
    const rows: Array<{ id: string; user_id: string; email: string; created_at: Date }> = await this.dataSource.query(
      `SELECT t.id, t.user_id, u.email, t.created_at FROM trials t JOIN users u ON u.id = t.user_id WHERE t.state = $1 ORDER BY t.created_at, t.id`,
      ['waitlisted' satisfies TrialState],
    );
    return rows.map((r, i) => ({ position: i + 1, trialId: r.id, userId: r.user_id, email: r.email, waitingSince: new Date(r.created_at).toISOString() }));
  }

  /** Admit one named trial, or the next N, regardless of the active-trial cap. */
  async admit(admin: AuthUser, count: number | undefined, trialId: string | undefined) {
    if (trialId) {
      const rows = await this.trialRows.activate(this.dataSource.manager, (await this.quotas.current()).trialDurationMs, { id: trialId });
      if (!rows.length) throw new NotFoundException('No waitlisted trial with that id.');
      await this.audit.record(admin, 'trial.admit', { type: 'trial', id: trialId }, { manual: true });
      return { admitted: [trialId] };
    }
    const admitted: TrialEntity[] = await this.trials.admitNext(count ?? 1, admin);
    return { admitted: admitted.map((t) => t.id) };
  }
}

function pick<T extends object>(source: T, keys: object): Partial<T> {
  return Object.fromEntries(Object.keys(keys).map((k) => [k, (source as Record<string, unknown>)[k]])) as Partial<T>;
}

/** DTO instances carry every declared field, unset ones as undefined: keep only what was sent. */
function definedOnly<T extends object>(dto: T): Partial<T> {
  return Object.fromEntries(Object.entries(dto).filter(([, v]) => v !== undefined)) as Partial<T>;
}
