import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { SettingEntity, UserQuotaEntity } from '../database/entities';
import { QUOTA_KEYS, Quotas } from './quotas';

@Injectable()
export class QuotasService {
  constructor(
    private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  defaults(): Quotas {
    return {
      sessionsPerUser: 1,
      trialDurationMs: this.config.trials.durationMs,
      sessionMaxRuntimeMs: this.config.sessions.maxRuntimeMs,
      idleTimeoutMs: this.config.sessions.idleTimeoutMs,
      maxActiveTrials: this.config.trials.maxActive,
      storagePerUserBytes: 5 * 1024 ** 3,
      maxUploadFileBytes: 1024 ** 3,
      resultRetentionMs: this.config.artifacts.resultRetentionMs,
      allowedEmailDomains: [],
      blockedEmailDomains: [],
    };
  }

  /** Current global quotas: admin-set values over the configured defaults. */
  async current(manager: EntityManager = this.dataSource.manager): Promise<Quotas> {
    const rows = await manager.find(SettingEntity, { where: { key: In(QUOTA_KEYS as string[]) } });
    const quotas = this.defaults();
    for (const row of rows) (quotas as unknown as Record<string, unknown>)[row.key] = row.value;
    return quotas;
  }

  /** Applies to new work at once; running sessions are not touched. */
  async update(patch: Partial<Quotas>, manager: EntityManager = this.dataSource.manager): Promise<Quotas> {
    for (const [key, value] of Object.entries(patch)) {
      if (!QUOTA_KEYS.includes(key as keyof Quotas) || value === undefined) continue;
      // JSON-encoded by hand so that null (e.g. "no cap on active trials") is stored as JSON null, not SQL NULL.
      await manager.query(
        `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2::jsonb, now()) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
        [key, JSON.stringify(value)],
      );
    }
    return this.current(manager);
  }

  /** Quotas for one user: the global ones with that user's overrides. */
  async forUser(userId: string, manager: EntityManager = this.dataSource.manager): Promise<Quotas & { allowedProfiles: string[] | null }> {
    const [quotas, override] = await Promise.all([this.current(manager), manager.findOne(UserQuotaEntity, { where: { userId } })]);
    return {
      ...quotas,
      sessionsPerUser: override?.sessionsPerUser ?? quotas.sessionsPerUser,
      storagePerUserBytes: override?.storageBytes ?? quotas.storagePerUserBytes,
      allowedProfiles: override?.allowedProfiles ?? null,
    };
  }
}
