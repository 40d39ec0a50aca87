import { BadRequestException, Injectable, Logger, NotFoundException, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { readFileSync } from 'node:fs';
import { DataSource, EntityManager } from 'typeorm';
import type { ProfileView } from '@trialhub/contracts';
import { SLOT_HOLDING_STATES } from '@trialhub/contracts';
import { AppConfig } from '../config/app-config';
import { ProfileEntity } from '../database/entities';
import { DEFAULT_PROFILES, ProfileSeed } from './default-profiles';

@Injectable()
export class ProfilesService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Profiles');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

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
      const def = enabled.find((p) => p.isDefault) ?? enabled[0];
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
    const [profiles, used] = await Promise.all([this.list(), this.slotsInUse()]);
    return profiles.filter((p) => p.enabled).map((p) => toProfileView(p, used.get(p.name) ?? 0));
  }
}

export function toProfileView(p: ProfileEntity, used: number): ProfileView {
  return {
    name: p.name,
    displayName: p.displayName,
    description: p.description,
    gpus: p.gpus,
    arch: p.nodeSelector['kubernetes.io/arch'] ?? null,
    slots: p.slots,
    slotsFree: Math.max(0, p.slots - used),
    isDefault: p.isDefault,
    enabled: p.enabled,
  };
}
