import type { TrainerMetrics } from '@trialhub/contracts';

/** Shapes of the results and sharing API (apps/control-plane results module). */
export interface ArtifactView {
  name: string;
  size: number;
  sha256: string;
  contentType: string;
}

export interface ResultView {
  id: string;
  title: string;
  metrics: Partial<TrainerMetrics> | null;
  artifacts: ArtifactView[];
  createdAt: string;
  expiresAt: string | null;
  sessionId?: string | null;
}

export interface ShareLinkView {
  id: string;
  url?: string;
  token?: string;
  createdAt?: string;
  expiresAt: string | null;
  revokedAt?: string | null;
  viewCount?: number;
}

/** One point of the training history (`history.json`). */
export interface HistoryPoint {
  step: number;
  trainAccuracy?: number;
  validationAccuracy?: number;
  crossEntropy?: number;
}

export interface ConfusionMatrixData {
  classes: string[];
  /** matrix[actual][predicted] = count */
  matrix: number[][];
}

/** One row of the before/after table: a test image, its true class and the predictions. */
export interface BeforeAfterRow {
  image: string;
  label: string | null;
  before: { label: string; confidence: number | null } | null;
  after: { label: string; confidence: number | null } | null;
}
