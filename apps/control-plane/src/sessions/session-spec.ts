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

/**
 * How long after the trial's end the runtime's own backstop (the pod's activeDeadlineSeconds)
 * fires. The normal path comes first: the deadline pass (every second) moves the session to
 * `stopping` at the trial's end and the pod gets its termination grace period (60 s by default)
 * for the preStop hook to save outputs. The backstop only matters when no control plane runs.
 */
export const BACKSTOP_MARGIN_MS = 5 * 60_000;

export function buildSessionSpec(
  s: SessionEntity,
  trial: TrialEntity,
  profile: ProfileEntity,
  credentials: { jupyterToken: string; uploadToken: string; uploadUrl: string },
  publicUrl: string,
): SessionSpec {
  const trialExpiresAt = trial.expiresAt ?? new Date();
  return {
    sessionId: s.id,
    trialId: s.trialId,
    userId: s.userId,
    profile: toRuntimeProfile(profile),
    ...credentials,
    baseUrl: `/notebook/${s.id}/`,
    sessionPageUrl: `${publicUrl.replace(/\/$/, '')}/sessions/${s.id}`,
    trialExpiresAt,
    backstopAt: new Date(trialExpiresAt.getTime() + BACKSTOP_MARGIN_MS),
  };
}
