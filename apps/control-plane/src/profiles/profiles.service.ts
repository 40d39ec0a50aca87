import { BadRequestException, Inject, Injectable, Logger, NotFoundException, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { readFileSync } from 'node:fs';
import { DataSource, EntityManager } from 'typeorm';
import type { ProfileView } from '@trialhub/contracts';
import { SLOT_HOLDING_STATES } from '@trialhub/contracts';
import { AppConfig } from '../config/app-config';
import { ProfileEntity } from '../database/entities';
import { SESSION_RUNTIME, type RuntimeMachine, type SessionRuntime } from '../runtime/session-runtime';
import { DEFAULT_PROFILES, ProfileSeed } from './default-profiles';
import { offerProfiles, toProfileView } from './machine-offer';

export { toProfileView };

/** Machines are asked for at most this often (the dashboard polls; node lists cost the API server). */
const MACHINES_TTL_MS = 2000;

@Injectable()
export class ProfilesService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Profiles');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    @Inject(SESSION_RUNTIME) private readonly runtime: SessionRuntime,
  ) {}

  private machinesCache: { at: number; value: Promise<RuntimeMachine[] | undefined> } | undefined;

  /** What the runtime reports (cached briefly); undefined when it cannot report. */
  machines(): Promise<RuntimeMachine[] | undefined> {
    if (this.machinesCache && Date.now() - this.machinesCache.at < MACHINES_TTL_MS) return this.machinesCache.value;
    const value = this.runtime.machines().catch((err: Error) => {
      this.logger.warn(`The runtime did not report its machines (${err.message}); profiles are offered as configured`);
      return undefined;
    });
    this.machinesCache = { at: Date.now(), value };
    return value;
  }

  /** Seeds the default profiles once; PROFILES_FILE (JSON array) is applied at every start, so a ConfigMap stays authoritative. */
  async onApplicationBootstrap(): Promise<void> {
    const repo = this.dataSource.getRepository(ProfileEntity);
    if (this.config.profilesFile) {
      const seeds = JSON.parse(readFileSync(this.config.profilesFile, 'utf8')) as ProfileSeed[];
      await repo.upsert(seeds.map((s) => ({ ...DEFAULT_PROFILES[0], ...s })), ['name']);
      this.logger.log(`Applied ${seeds.length} profile(s) from ${this.config.profilesFile}`);
    } else if ((await repo.count()) === 0) {
      await repo.createQueryBuilder().insert().values(DEFAULT_PROFILES).orIgnore().execute();
    }
  }

  list(manager: EntityManager = this.dataSource.manager): Promise<ProfileEntity[]> {
    return manager.find(ProfileEntity, { order: { sortOrder: 'ASC', name: 'ASC' } });
  }

  /** The named profile, or the default one; refuses unknown or disabled profiles with a helpful message. */
  async resolve(name: string | undefined, manager: EntityManager = this.dataSource.manager): Promise<ProfileEntity> {
    const all = await this.list(manager);
    const enabled = all.filter((p) => p.enabled);
    if (name === undefined) {
      // The default is the one the runtime can run (local mode: this computer's profile).
      const offered = offerProfiles({ runtime: this.runtime.kind, profiles: enabled, used: new Map(), machines: await this.machines() });
      const pick = offered.find((v) => v.offered && v.isDefault) ?? offered.find((v) => v.offered);
      const def = enabled.find((p) => p.name === pick?.name) ?? enabled.find((p) => p.isDefault) ?? enabled[0];
      if (!def) throw new BadRequestException('No session profile is enabled right now. Try again later.');
      return def;
    }
    const profile = all.find((p) => p.name === name);
    if (!profile) throw new BadRequestException(`Unknown profile "${name}". Choose one of: ${enabled.map((p) => p.name).join(', ')}.`);
    if (!profile.enabled) throw new BadRequestException(`The profile "${name}" is not available right now. Choose one of: ${enabled.map((p) => p.name).join(', ')}.`);
    return profile;
  }

  async get(name: string, manager: EntityManager = this.dataSource.manager): Promise<ProfileEntity> {
    const profile = await manager.findOne(ProfileEntity, { where: { name } });
    if (!profile) throw new NotFoundException(`No profile named "${name}".`);
    return profile;
  }

  /** Slots in use per profile (sessions that hold or are about to hold resources). */
  async slotsInUse(manager: EntityManager = this.dataSource.manager): Promise<Map<string, number>> {
    const rows: Array<{ profile_name: string; n: number }> = await manager.query(
      `SELECT profile_name, count(*)::int AS n FROM sessions WHERE state = ANY($1) GROUP BY profile_name`,
      [SLOT_HOLDING_STATES],
    );
    return new Map(rows.map((r) => [r.profile_name, r.n]));
  }

  async views(): Promise<ProfileView[]> {
    const [profiles, used, machines] = await Promise.all([this.list(), this.slotsInUse(), this.machines()]);
    return offerProfiles({ runtime: this.runtime.kind, profiles, used, machines });
  }
}
