import type { ProfileView } from './session';
import type { SessionState } from './session-state';
import type { TrialState, TrialView } from './trial';
import type { UserView } from './user';

// The admin API (`/api/admin/*`, role admin): what it answers and what it accepts.

/** The global limits of the trial programme (`GET/PUT /api/admin/quotas`). Durations in ms, sizes in bytes. */
export interface AdminQuotas {
  sessionsPerUser: number;
  trialDurationMs: number;
  sessionMaxRuntimeMs: number;
  idleTimeoutMs: number;
  /** null = unlimited; beyond it, sign-ups wait in the waitlist. */
  maxActiveTrials: number | null;
  storagePerUserBytes: number;
  maxUploadFileBytes: number;
  resultRetentionMs: number;
  /** When non-empty, only these email domains may sign up. */
  allowedEmailDomains: string[];
  blockedEmailDomains: string[];
}

/**
 * `PUT /api/admin/quotas`: only the fields to change. Applies to new work; running sessions keep
 * their maximum runtime and idle timeout unless `applyToRunning` gives them the new ones.
 */
export type AdminQuotasUpdate = Partial<AdminQuotas> & { applyToRunning?: boolean };

export interface AdminToleration {
  key: string;
  operator?: 'Exists' | 'Equal';
  value?: string;
  effect?: string;
}

/** A session profile as stored (`PUT /api/admin/profiles/:name` answers this). */
export interface AdminProfile {
  name: string;
  displayName: string;
  description: string;
  image: string;
  cpuRequest: string;
  cpuLimit: string;
  memoryRequest: string;
  memoryLimit: string;
  gpus: number;
  nodeSelector: Record<string, string>;
  tolerations: AdminToleration[];
  /** Kubernetes RuntimeClass session pods run under (gVisor, Kata); null: the cluster's default runtime. */
  runtimeClassName: string | null;
  /** Sessions of this profile that may hold resources at once; the rest queue. */
  slots: number;
  isDefault: boolean;
  enabled: boolean;
  sortOrder: number;
  createdAt: string;
  updatedAt: string;
}

/** `GET /api/admin/profiles`: every profile (enabled or not) with the slots in use. */
export interface AdminProfileWithUsage extends AdminProfile {
  slotsUsed: number;
}

/** `PUT /api/admin/profiles/:name` (any subset) and `POST /api/admin/profiles` (with `name`). */
export type AdminProfileUpdate = Partial<Omit<AdminProfile, 'name' | 'createdAt' | 'updatedAt'>> & {
  /** When slots drop below the sessions running, stop the newest ones over the limit (default: they keep running, new launches queue). */
  stopExcess?: boolean;
};
export type AdminProfileCreate = Omit<AdminProfileUpdate, 'stopExcess'> & { name: string };

/** `PUT /api/admin/profiles/:name` answers the stored profile and the sessions it stopped (only with `stopExcess`). */
export interface AdminProfileUpdateResult extends AdminProfile {
  stoppedSessions: string[];
}

export interface AdminClusterNode {
  name: string;
  /** The node's CPU architecture as Kubernetes names it (`amd64`, `ppc64le`), when known. */
  arch: string | null;
  /** Kubernetes node labels (empty for the local runtime, which has no nodes). */
  labels: Record<string, string>;
  gpus: number;
  gpusUsed: number;
  ready: boolean;
}

/** `GET /api/admin/capacity`: slots per profile, queues, and what the cluster reports. */
export interface AdminCapacity {
  runtime: 'local' | 'kubernetes';
  profiles: Array<ProfileView & { slotsUsed: number; queued: number }>;
  cluster: {
    nodes: AdminClusterNode[];
    gpus: number;
    gpusUsed: number;
    /** Set when the runtime could not report (the rest of the answer is still valid). */
    error?: string;
  };
}

/** `GET /api/admin/waitlist`, oldest first. */
export interface AdminWaitlistEntry {
  /** 1-based. */
  position: number;
  trialId: string;
  userId: string;
  email: string;
  waitingSince: string;
}

/** `POST /api/admin/waitlist/admit`: the next `count` (default 1), or one named trial. */
export type AdminAdmitRequest = { count?: number; trialId?: string };
export interface AdminAdmitResponse {
  admitted: string[];
}

/** `GET /api/admin/users?q=&limit=`: newest first, each with their latest trial. */
export interface AdminUserSummary extends UserView {
  trial: { id: string; state: TrialState; expiresAt: string | null } | null;
}

export interface AdminUserSession {
  id: string;
  profile: string;
  state: SessionState;
  reason: string | null;
  node: string | null;
  createdAt: string;
  stoppedAt: string | null;
}

/** Per-user overrides of the global quotas; null = the global value. */
export interface AdminUserQuota {
  sessionsPerUser: number | null;
  storageBytes: number | null;
  allowedProfiles: string[] | null;
}

/** `GET /api/admin/users/:id`, and the answer of every action on a user. */
export interface AdminUserDetail {
  user: UserView & { suspendedReason: string | null };
  /** Newest first. */
  trials: TrialView[];
  /** Newest first, at most 100. */
  sessions: AdminUserSession[];
  quota: AdminUserQuota | null;
}

/** `GET /api/admin/sessions`: every queued and running session. */
export interface AdminLiveSession {
  id: string;
  state: SessionState;
  profile: string;
  node: string | null;
  reason: string | null;
  owner: { id: string; email: string };
  createdAt: string;
  ageSeconds: number;
  lastActivityAt: string | null;
}

/** `GET /api/admin/usage?days=N` (oldest day first); `&format=csv` answers the same as CSV. */
export interface AdminUsageDay {
  /** YYYY-MM-DD (server time zone). */
  day: string;
  trialsStarted: number;
  sessions: number;
  gpuHours: number;
  profiles: Record<string, { sessions: number; gpuHours: number }>;
}

/** `GET /api/admin/audit`, newest first. */
export interface AdminAuditEvent {
  id: string;
  at: string;
  actor: { id: string | null; email: string | null };
  action: string;
  target: { type: string; id: string | null } | null;
  details: Record<string, unknown>;
}

/** Filters of `GET /api/admin/audit`: action prefix, actor email or id, target id, ISO time, older than an event id (paging), 1–1000. */
export interface AdminAuditQuery {
  action?: string;
  actor?: string;
  target?: string;
  since?: string;
  before?: string;
  limit?: number;
}
