import type { SessionState } from './session-state';

export interface SessionEventView {
  at: string;
  from: SessionState | null;
  to: SessionState | null;
  /** Short machine reason, e.g. `ImagePullBackOff`, `Unschedulable`, `max-runtime`. */
  reason: string | null;
  /** Sentence a person can read. */
  message: string;
}

export interface SessionView {
  id: string;
  trialId: string;
  userId: string;
  profile: string;
  state: SessionState;
  /** Why the session is in its state, in words a user understands (failures, queueing). */
  reason: string | null;
  queuePosition: number | null;
  notebookUrl: string | null;
  createdAt: string;
  readyAt: string | null;
  stoppedAt: string | null;
  /** When the session will be stopped by its maximum runtime, while it runs. */
  stopsAt: string | null;
  /** When the trial (and with it every session) ends. */
  trialExpiresAt: string | null;
  /** Whether the notebook server runs Jupyter, or only the headless trainer (local runtime without Jupyter). */
  mode: 'jupyter' | 'headless' | null;
  events: SessionEventView[];
}

export interface ProfileView {
  name: string;
  displayName: string;
  description: string;
  gpus: number;
  arch: string | null;
  slots: number;
  slotsFree: number;
  isDefault: boolean;
  enabled: boolean;
  /** Which runtime runs sessions: `local` means this one computer (local mode). */
  runtime?: 'local' | 'kubernetes';
  /** Whether the runtime reports a machine that can run it right now (only offered profiles can be picked). */
  offered?: boolean;
  /** Why it is not offered, in words. */
  unavailableReason?: string | null;
  /** What it runs on, as the runtime reports it ("host: 2 CPUs, 7.8 GB memory, no GPU"; a node list on Kubernetes). */
  machine?: string | null;
}

/** `POST /api/sessions/:id/notebook-handoff`: a one-time link (valid 60 s, once) that opens the session's notebook on its own origin. */
export interface NotebookHandoffResponse {
  url: string;
}
