import type { AccuracyBreakdown, HeadlineAccuracy, PerClassQuality } from './trainer-events';

// The results and sharing API (`/api/results`, `/api/results/:id/shares`, `/api/share/:token`):
// what the control plane answers. The control plane builds these, the portal reads them.

/** One stored file of a result (`name` is its path inside the result, e.g. `model/weights.bin`). */
export interface ArtifactView {
  name: string;
  size: number;
  sha256: string;
  contentType: string;
}

/**
 * The headline fields of a result's `metrics.json`, as kept on the result (the whole file
 * stays an artifact). Accuracies are null when the trainer had an empty split (it writes NaN).
 * Results saved by hand or by an older trainer may lack any field.
 */
export interface ResultMetrics {
  testAccuracy?: number | null;
  validationAccuracy?: number | null;
  trainAccuracy?: number | null;
  testCount?: number;
  validationCount?: number;
  trainCount?: number;
  classes?: string[];
  steps?: number;
  /** `seed-compatible` or `default` from the bundled trainer. */
  mode?: string;
  backend?: string;
  seconds?: number;
  trainingSeconds?: number;
  /** From trainers of issue 14 on (read them with `readHeadline` and friends in trainer-files). */
  headline?: HeadlineAccuracy | null;
  accuracy?: AccuracyBreakdown;
  perClass?: PerClassQuality;
  misclassifiedCount?: number;
  [extra: string]: unknown;
}

/** `GET /api/results` (an array, newest first), `GET|PATCH /api/results/:id`. */
export interface ResultView {
  id: string;
  title: string;
  runName: string;
  metrics: ResultMetrics | null;
  /** Sorted by name. */
  artifacts: ArtifactView[];
  /** Total bytes of the result's files. */
  size: number;
  /** When the result was saved (its completion, else its creation). */
  createdAt: string;
  completedAt: string | null;
  /** When the retention period deletes it; null = kept. */
  expiresAt: string | null;
  sessionId: string | null;
  trialId: string;
  shares: { active: number; total: number };
}

/** `GET /api/results/:id/shares` (an array, newest first). */
export interface ShareLinkView {
  id: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  viewCount: number;
  lastViewedAt: string | null;
  /** Neither revoked nor expired. */
  active: boolean;
}

/** `POST /api/results/:id/shares`: the new link, with its token (shown in this answer only; only its hash is stored). */
export interface CreatedShareLink extends ShareLinkView {
  token: string;
  /** `${PUBLIC_URL}/share/<token>` */
  url: string;
}

/** One point of the training history (`history.json`). */
export interface HistoryPoint {
  step: number;
  trainAccuracy?: number;
  validationAccuracy?: number;
  crossEntropy?: number;
}

/** `confusion.json`. */
export interface ConfusionMatrixData {
  classes: string[];
  /** matrix[actual][predicted] = count */
  matrix: number[][];
}

export interface Prediction {
  label: string;
  confidence: number | null;
}

/** One row of the before/after table (`before-after.json`): a test image, its true class and the predictions. */
export interface BeforeAfterRow {
  image: string;
  label: string | null;
  before: Prediction | null;
  after: Prediction | null;
}

/** `GET /api/share/:token` (public): what a share link shows; the share page renders the same as HTML. */
export interface SharedResult {
  title: string;
  createdAt: string;
  /** When the link stops working: the earlier of the link's expiry and the result's retention. */
  expiresAt: string | null;
  metrics: ResultMetrics | null;
  artifacts: Array<ArtifactView & { url: string }>;
  history: HistoryPoint[];
  confusion: ConfusionMatrixData | null;
  beforeAfter: Array<BeforeAfterRow & { imageUrl: string | null }>;
  notebooks: Array<{ name: string; url: string }>;
  /** The trainer's HTML report, shown in a sandboxed frame. */
  report: { name: string; url: string; frameUrl: string } | null;
  downloadUrl: string;
}
