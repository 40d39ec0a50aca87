import type { ArtifactView } from '../results/result-view';
import type { BeforeAfterRow, Confusion, HistoryPoint } from './trainer-files';

/** What a share link shows: the page renders it as HTML, `/api/share/<token>` returns it as JSON. */
export interface SharedResult {
  title: string;
  createdAt: string;
  /** When the link stops working: the earlier of the link's expiry and the result's retention. */
  expiresAt: string | null;
  metrics: Record<string, unknown> | null;
  artifacts: Array<ArtifactView & { url: string }>;
  history: HistoryPoint[];
  confusion: Confusion | null;
  beforeAfter: Array<BeforeAfterRow & { imageUrl: string | null }>;
  notebooks: Array<{ name: string; url: string }>;
  /** The trainer's HTML report, shown in a sandboxed frame. */
  report: { name: string; url: string; frameUrl: string } | null;
  downloadUrl: string;
}
