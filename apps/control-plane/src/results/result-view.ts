import type { ArtifactEntity, ResultEntity, ShareLinkEntity } from '../database/entities';

export interface ArtifactView {
  name: string;
  size: number;
  sha256: string;
  contentType: string;
}

export interface ResultView {
  id: string;
  title: string;
  runName: string;
  metrics: Record<string, unknown> | null;
  artifacts: ArtifactView[];
  /** Total bytes of the result's files. */
  size: number;
  createdAt: string;
  completedAt: string | null;
  expiresAt: string | null;
  sessionId: string | null;
  trialId: string;
  shares: { active: number; total: number };
}

export const toArtifactView = (a: ArtifactEntity): ArtifactView => ({ name: a.name, size: a.size, sha256: a.sha256, contentType: a.contentType });

export const isShareActive = (s: Pick<ShareLinkEntity, 'revokedAt' | 'expiresAt'>, now = Date.now()): boolean => !s.revokedAt && (!s.expiresAt || s.expiresAt.getTime() > now);

export function toResultView(result: ResultEntity, artifacts: ArtifactEntity[], shares: ShareLinkEntity[]): ResultView {
  const files = [...artifacts].sort((a, b) => a.name.localeCompare(b.name));
  return {
    id: result.id,
    title: result.title,
    runName: result.runName,
    metrics: result.metrics,
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
