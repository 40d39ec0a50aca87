/**
 * The one interface every runtime driver implements (JupyterHub's Spawner contract, adapted
 * to a reconciler): the reconciler records intent in PostgreSQL and calls these methods;
 * drivers report what they observe through `watch`. Every method is idempotent: creating
 * what exists or deleting what is gone is success, so a restarted control plane can
 * simply call them again.
 */
export interface RuntimeProfile {
  name: string;
  image: string;
  cpuRequest: string;
  cpuLimit: string;
  memoryRequest: string;
  memoryLimit: string;
  gpus: number;
  nodeSelector: Record<string, string>;
  tolerations: Array<{ key: string; operator?: 'Exists' | 'Equal'; value?: string; effect?: string }>;
  /** Kubernetes: the RuntimeClass the pod runs under (a sandbox such as gVisor or Kata); the local runtime ignores it. */
  runtimeClassName?: string | null;
}

export interface WorkspaceSpec {
  trialId: string;
  userId: string;
  /** Requested size, e.g. "10Gi". */
  storage: string;
}

export interface SessionSpec {
  sessionId: string;
  trialId: string;
  userId: string;
  profile: RuntimeProfile;
  /** Token Jupyter requires; the proxy injects it, the browser never sees it. */
  jupyterToken: string;
  /** Bearer token the session uses for the artifact upload API. */
  uploadToken: string;
  /** Absolute URL of the control plane's upload API, as the session reaches it. */
  uploadUrl: string;
  /** Jupyter's base URL: `/notebook/<sessionId>/`. */
  baseUrl: string;
  /** The session's page in the portal: the notebook's visible way back (see notebook-ui.ts). */
  sessionPageUrl: string;
  /** The trial's end (the control plane stops the session gracefully then). */
  trialExpiresAt: Date;
  /**
   * When the runtime ends the session by itself (the pod's activeDeadlineSeconds), should no
   * control plane do it first: the trial's end plus a margin. Defaults to `trialExpiresAt`.
   */
  backstopAt?: Date;
}

/** What a driver observed about one session. */
export type RuntimePhase =
  /** Accepted, waiting for a node / a process slot. */
  | 'pending'
  /** Placed; image pulling or the server booting. */
  | 'starting'
  /** The notebook server answers. */
  | 'ready'
  /** Gave up: image pull failure, crash loop, eviction, exit. */
  | 'failed'
  /** Nothing of the session exists any more. */
  | 'gone';

export interface RuntimeObservation {
  sessionId: string;
  phase: RuntimePhase;
  /** Short machine reason (`Unschedulable`, `ImagePullBackOff`, `CrashLoopBackOff`, `Evicted`, `Exited`). */
  reason?: string;
  /** A sentence for the user. */
  message?: string;
  /** Where the notebook server listens, once ready. */
  endpoint?: { host: string; port: number };
  /** Node (kubernetes) or host the session runs on. */
  node?: string;
  /** Local runtime only: `headless` when Jupyter is not installed and the trainer runs alone. Other drivers leave it unset (a notebook). */
  localMode?: 'jupyter' | 'headless';
}

export interface ManagedResources {
  sessionIds: string[];
  trialIds: string[];
}

export interface RuntimeCapacity {
  /** GPUs the cluster reports as allocatable; `labels` are Kubernetes node labels, empty where there are none (local). */
  nodes: Array<{ name: string; arch: string | null; labels: Record<string, string>; gpus: number; gpusUsed: number; ready: boolean }>;
}

/**
 * One machine sessions can run on, as the runtime itself reports it (the local runtime:
 * this computer; Kubernetes: a node). What the portal offers is derived from these.
 */
export interface RuntimeMachine {
  /** Node name, or this computer's host name. */
  name: string;
  /** How a person calls it ("This computer (local mode)"); null where the name says enough. */
  displayName: string | null;
  labels: Record<string, string>;
  /** NoSchedule/NoExecute taints a session must tolerate (Kubernetes). */
  taints: Array<{ key: string; value?: string; effect: string }>;
  cpus: number;
  memoryBytes: number;
  gpus: number;
  gpusUsed: number;
  /** e.g. "Tesla P100-SXM2-16GB", where the runtime knows it. */
  gpuModel: string | null;
  ready: boolean;
}

export interface SessionRuntime {
  readonly kind: 'local' | 'kubernetes';
  /** Start watching; resolves once the first full list is in the cache. */
  start(): Promise<void>;
  /** Stop watching and release connections (does not touch sessions). */
  shutdown(): Promise<void>;
  /** Subscribe to observations; returns an unsubscribe function. */
  watch(listener: (observation: RuntimeObservation) => void): () => void;
  /** Latest cached observation, without calling out. */
  observe(sessionId: string): RuntimeObservation | undefined;

  ensureWorkspace(spec: WorkspaceSpec): Promise<void>;
  deleteWorkspace(trialId: string): Promise<void>;
  /** Create everything the session needs (secret, pod/process, service). */
  launch(spec: SessionSpec): Promise<void>;
  /** Ask the session to stop (outputs are uploaded by the preStop hook) and delete it; resolves once gone. */
  terminate(sessionId: string, options?: { gracePeriodSeconds?: number }): Promise<void>;
  /** Everything labelled as ours that exists right now, for garbage collection. */
  listManaged(): Promise<ManagedResources>;
  capacity(): Promise<RuntimeCapacity>;
  /** The machines sessions can run on right now, as this runtime observes them. */
  machines(): Promise<RuntimeMachine[]>;
}

export const SESSION_RUNTIME = Symbol('SESSION_RUNTIME');

/** A failure that is worth retrying (API server 429/5xx, timeouts, connection resets). */
export class TransientRuntimeError extends Error {}
