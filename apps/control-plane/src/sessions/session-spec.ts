import type { ProfileEntity, SessionEntity, TrialEntity } from '../database/entities';
import type { RuntimeProfile, SessionSpec } from '../runtime/session-runtime';

export function toRuntimeProfile(p: ProfileEntity): RuntimeProfile {
  return {
    name: p.name,
    image: p.image,
    cpuRequest: p.cpuRequest,
    cpuLimit: p.cpuLimit,
    memoryRequest: p.memoryRequest,
    memoryLimit: p.memoryLimit,
    gpus: p.gpus,
    nodeSelector: p.nodeSelector,
    tolerations: p.tolerations,
    runtimeClassName: p.runtimeClassName ?? null,
  };
}

export function buildSessionSpec(
  s: SessionEntity,
  trial: TrialEntity,
  profile: ProfileEntity,
  credentials: { jupyterToken: string; uploadToken: string; uploadUrl: string },
): SessionSpec {
  return {
    sessionId: s.id,
    trialId: s.trialId,
    userId: s.userId,
    profile: toRuntimeProfile(profile),
    ...credentials,
    baseUrl: `/notebook/${s.id}/`,
    trialExpiresAt: trial.expiresAt ?? new Date(),
  };
}
