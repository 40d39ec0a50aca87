import type { ArtifactView, ResultMetrics, ResultView } from '@trialhub/contracts';
import type { ArtifactEntity, ResultEntity, ShareLinkEntity } from '../database/entities';

export const toArtifactView = (a: ArtifactEntity): ArtifactView => ({ name: a.name, size: a.size, sha256: a.sha256, contentType: a.contentType });

export const isShareActive = (s: Pick<ShareLinkEntity, 'revokedAt' | 'expiresAt'>, now = Date.now()): boolean => !s.revokedAt && (!s.expiresAt || s.expiresAt.getTime() > now);

export function toResultView(result: ResultEntity, artifacts: ArtifactEntity[], shares: ShareLinkEntity[]): ResultView {
  const files = [...artifacts].sort((a, b) => a.name.localeCompare(b.name));
  return {
    id: result.id,
    title: result.title,
    runName: result.runName,
    // Written only from a parsed metrics.json (parseTrainerMetrics), so it has the headline fields' types.
    metrics: result.metrics as ResultMetrics | null,
    artifacts: files.map(toArtifactView),
    size: files.reduce((sum, a) => sum + a.size, 0),
    createdAt: (result.completedAt ?? result.createdAt).toISOString(),
    completedAt: result.completedAt?.toISOString() ?? null,
    expiresAt: result.expiresAt?.toISOString() ?? null,
    sessionId: result.sessionId,
    trialId: result.trialId,
    shares: { active: shares.filter((s) => isShareActive(s)).length, total: shares.length },
  };
}
