import { Injectable } from '@nestjs/common';
import type { TrialState } from '@trialhub/contracts';
import { ProfileEntity } from '../database/entities';
import { QuotasService } from '../quotas/quotas.service';
import { SessionsRepository } from '../repositories/sessions.repository';

const ACTIVE_TRIAL: TrialState = 'active';

/**
 * Admission: queued sessions become `provisioning`, first-in first-out per profile, while the
 * profile has free slots (who holds a slot: `SLOT_HOLDING_STATES` in the contracts, the one rule).
 */
@Injectable()
export class SessionAdmission {
  constructor(
    private readonly sessions: SessionsRepository,
    private readonly quotas: QuotasService,
  ) {}

  /** Returns the ids of the sessions admitted. */
  async admit(): Promise<string[]> {
    const profiles = await this.sessions.manager.find(ProfileEntity, { where: { enabled: true } });
    // A session keeps the limits it was admitted with: later quota changes apply to new work.
    const quotas = await this.quotas.current();
    const admitted: string[] = [];
    for (const profile of profiles) {
      const ids = await this.sessions.transaction(async (m) => {
        // One admitter per profile at a time, across replicas, so slots are never over-granted.
        await m.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`trialhub:admit:${profile.name}`]);
        const free = profile.slots - (await this.sessions.countSlotHolders(m, profile.name));
        if (free <= 0) return [];
        return this.sessions.transitionMany(m, {
          from: ['queued'],
          to: 'provisioning',
          reason: 'admitted',
          message: 'A slot is free: creating the workspace and the notebook',
          where: (p) => `s.id IN (
            SELECT q.id FROM sessions q JOIN trials t ON t.id = q.trial_id
            WHERE q.state = ${p.add('queued')} AND q.profile_name = ${p.add(profile.name)} AND t.state = ${p.add(ACTIVE_TRIAL)} AND t.expires_at > now()
            ORDER BY q.queued_at, q.id LIMIT ${p.add(free)} FOR UPDATE OF q SKIP LOCKED)`,
          set: (p) =>
            `started_at = now(), generation = s.generation + 1, next_check_at = NULL, max_runtime_ms = ${p.add(quotas.sessionMaxRuntimeMs)}::bigint, idle_timeout_ms = ${p.add(quotas.idleTimeoutMs)}::bigint`,
        });
      });
      admitted.push(...ids);
    }
    return admitted;
  }
}
