/** The fake Kubernetes API server's public API (other test suites code against these names). */
export interface FakeNodeSpec {
  name: string;
  labels?: Record<string, string>;
  gpus?: number;
  cpu?: string;
  memory?: string;
  taints?: Array<{ key: string; value?: string; effect: 'NoSchedule' | 'NoExecute' | 'PreferNoSchedule' }>;
}

export interface RequestMatch {
  method?: string;
  pathIncludes?: string;
}

export interface FakeKubernetesOptions {
  /** 0 = a free port */
  port?: number;
  /** a count of default GPU nodes (half ppc64le, half amd64), or the exact nodes */
  nodes?: number | FakeNodeSpec[];
  gpusPerNode?: number;
  /** extra amd64 nodes without GPUs, added to the default nodes */
  cpuOnlyNodes?: number;
  /** RuntimeClass objects (node.k8s.io/v1) present from the start, e.g. `{ metadata: { name: 'gvisor' }, handler: 'runsc' }`. */
  runtimeClasses?: Array<{ metadata: { name: string }; handler: string; scheduling?: unknown; overhead?: unknown }>;
  /** ms the kubelet waits between phases (image pull, container start, ready); default ~50 */
  kubeletDelayMs?: number;
  /** how many changes the watch history keeps; a watch from an older resourceVersion gets 410 Gone (default 10,000) */
  historySize?: number;
  /** ms between BOOKMARK events on watches that allow them (default 1,000) */
  bookmarkIntervalMs?: number;
  /** the token the kubeconfig carries; requests with another bearer token get 401 (default "fake-k8s-token") */
  token?: string;
}

export type ResourceKind = 'pods' | 'services' | 'secrets' | 'persistentvolumeclaims' | 'nodes' | 'events' | 'runtimeclasses';

export interface RecordedRequest {
  method: string;
  verb: string;
  resource: string;
  namespace?: string;
  name?: string;
  status: number;
}

export interface FakeKubelet {
  /** pods with this image (or matching the predicate) go ErrImagePull -> ImagePullBackOff */
  failImagePull(imageOrPredicate: string | ((pod: any) => boolean)): void;
  /** the running container exits non-zero once, restarts with back-off (CrashLoopBackOff); restartCount grows */
  crashContainer(podName: string, namespace?: string): void;
  /** every container with this image exits non-zero right after it starts, each time */
  crashAlways(image: string): void;
  /** phase Failed, reason Evicted, message like the real kubelet's */
  evict(podName: string, namespace?: string): void;
  /** the node stops reporting: NotReady, tainted unreachable, its pods evicted by the taint manager */
  loseNode(nodeName: string): void;
  setReady(podName: string, ready: boolean, namespace?: string): void;
  /**
   * What an `exec` hook whose command starts with `command` does in this fake (there are no
   * containers to exec in): resolves to the command's exit code. The kubelet runs a container's
   * preStop hook through it at graceful deletion, and kills the container when the grace period
   * ends first. An exec hook without a handler exits 0 at once.
   */
  onExec(command: string, handler: ExecHandler): void;
  /**
   * Runs containers with this image (or matching the predicate) as a stand-in on this machine,
   * usually a local process: the stand-in starts when the container starts, gets the container's
   * environment and the pod's own loopback IP (each such pod gets one, 127.x.y.z, so container
   * ports do not clash), and resolves to the exit code when it exits; the signal aborts when the
   * kubelet stops the container. The container's readiness probe (httpGet, tcpSocket) is then
   * run for real against the pod IP, with its delays and thresholds; Ready follows it.
   */
  runContainers(imageOrPredicate: string | ((pod: any, container: any) => boolean), standIn: ContainerStandIn): void;
  /** freeze / continue phase progress */
  pause(): void;
  resume(): void;
}

export interface FakeFaults {
  /** the next `count` matching requests answer `status` with a Status body */
  failNext(count: number, status?: 500 | 503 | 429 | 504, match?: RequestMatch): void;
  /** the next `count` matching requests wait `ms` before they are served */
  delayNext(count: number, ms: number, match?: RequestMatch): void;
  /** closes every open watch connection abruptly (socket destroyed) */
  dropWatches(): void;
  /** forgets old resourceVersions: a watch from an earlier one gets an ERROR event with Status 410 */
  compactHistory(): void;
}

export interface FakeKubernetes {
  /** http://127.0.0.1:PORT */
  url: string;
  /** what the CLI prints */
  kubeconfigYaml: string;
  /** closes the server and open watches */
  close(): Promise<void>;
  kubelet: FakeKubelet;
  faults: FakeFaults;
  /** current store, for assertions (copies) */
  objects(kind: ResourceKind, namespace?: string): any[];
  /** every API call, for RBAC comparison */
  requests: RecordedRequest[];
}

/** One exec of a hook command: the pod, the container, its environment as the kubelet resolves it (values, secret and field refs). */
export interface ExecContext { pod: any; container: any; command: string[]; env: Record<string, string>; signal: AbortSignal }
export type ExecHandler = (exec: ExecContext) => Promise<number>;

/** One run of a container by its stand-in: as ExecContext, plus the pod's IP for the stand-in to listen on. */
export interface ContainerContext { pod: any; container: any; env: Record<string, string>; podIP: string; signal: AbortSignal }
export type ContainerStandIn = (run: ContainerContext) => Promise<number>;
