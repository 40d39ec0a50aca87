import { KubeConfig } from '@kubernetes/client-node';
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import type { ManagedResources, RuntimeCapacity, RuntimeMachine, RuntimeObservation, SessionRuntime, SessionSpec, WorkspaceSpec } from '../session-runtime';
import { TransientRuntimeError } from '../session-runtime';
import { ObservationCache } from '../observation-cache';
import { KubeApi } from './kube-api';
import { isValidLabelValue, LABEL, managedSelector } from './labels';
import { machinesFromNodes } from './node-machines';
import { buildSessionPod, buildSessionSecret, buildSessionService, buildWorkspaceClaim, ownerReferenceTo, secretData } from './manifests';
import { explainPodRefusal } from './pod-refusals';
import { sessionObjectName, workspaceClaimName } from './names';
import { isNodeReady, NodeHealth } from './node-health';
import { PodInformer } from './pod-informer';
import { EndpointMode, isPodActive, nodeLost, observePod, podGone, requestedGpus } from './pod-status';

export interface KubernetesRuntimeOptions {
  namespace: string;
  installationId: string;
  /** Else the in-cluster service account when KUBERNETES_SERVICE_HOST is set, else the default loading rules (KUBECONFIG, ~/.kube/config). */
  kubeconfigPath?: string;
  storageClassName?: string;
  /** Used when a WorkspaceSpec names no size. Default 10Gi. */
  workspaceSize?: string;
  /** Seconds the preStop hook gets to save outputs. Default 60. */
  terminationGracePeriodSeconds?: number;
  /** service: `<name>.<namespace>.svc:8888` (the default in-cluster); pod-ip: `status.podIP:8888` (the default outside). */
  endpoint?: EndpointMode;
  /** Full relist of pods (and nodes) to catch missed events. Default 60 s. */
  resyncIntervalMs?: number;
  /** Per API request. Default 10 s. */
  requestTimeoutMs?: number;
  /** How long terminate() waits for the pod to be gone beyond its grace period. Default 30 s. */
  terminateTimeoutMs?: number;
  /** Retry and backoff tuning, for tests. */
  retry?: { maxAttempts?: number; baseDelayMs?: number; maxDelayMs?: number };
  watchBackoff?: { initialMs?: number; maxMs?: number };
}

interface Logger { log(msg: string): void; warn(msg: string): void; error(msg: string): void }

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * The `kubernetes` runtime: per trial a PersistentVolumeClaim, per session a Secret, a Pod and
 * a Service, all labelled as this installation's. State comes from one pod informer; every
 * write is idempotent, so a second launch() finishes what an interrupted one began.
 */
export class KubernetesRuntime implements SessionRuntime {
  readonly kind = 'kubernetes' as const;
  private readonly api: KubeApi;
  private readonly informer: PodInformer;
  private readonly observations: ObservationCache;
  private readonly nodes: NodeHealth;
  private readonly podWaiters = new Map<string, Set<() => void>>();
  /** Sessions whose pod we are deleting: their disappearance is expected. */
  private readonly terminating = new Map<string, number>();
  /** Sessions whose pod vanished after a failure: observe() keeps reporting that failure. */
  private readonly retainedFailures = new Set<string>();
  /** GPUs of each session's last seen pod, to word node-loss messages after the pod is gone. */
  private readonly gpusBySession = new Map<string, number>();
  private readonly endpoint: EndpointMode;
  private running = false;

  constructor(
    private readonly options: KubernetesRuntimeOptions,
    private readonly logger: Logger = console,
    kubeConfig?: KubeConfig,
  ) {
    validateOptions(options);
    this.observations = new ObservationCache(logger);
    // Inside the cluster the Service name resolves; outside (a kubeconfig on a workstation or the
    // fake API server) only the pod IP can possibly be reached.
    this.endpoint = options.endpoint ?? (process.env.KUBERNETES_SERVICE_HOST ? 'service' : 'pod-ip');
    const kc = kubeConfig ?? loadKubeConfig(options.kubeconfigPath);
    this.api = KubeApi.fromConfig(kc, {
      requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
      maxAttempts: options.retry?.maxAttempts,
      retryBaseDelayMs: options.retry?.baseDelayMs,
      retryMaxDelayMs: options.retry?.maxDelayMs,
    });
    this.informer = new PodInformer(
      kc,
      (namespace, selector) => this.api.listPods(namespace, selector),
      {
        namespace: options.namespace,
        labelSelector: managedSelector(options.installationId, 'session'),
        resyncIntervalMs: this.resyncIntervalMs,
        backoffInitialMs: options.watchBackoff?.initialMs,
        backoffMaxMs: options.watchBackoff?.maxMs,
      },
      logger,
    );
    this.informer.onChange((sessionId, pod) => this.onPod(sessionId, pod));
    this.nodes = new NodeHealth(() => this.api.listNodes(), this.resyncIntervalMs, logger);
    // Pods on a node whose readiness changed are looked at again (node loss).
    this.nodes.onChange((changed) => {
      for (const pod of this.informer.list()) if (pod.spec?.nodeName && changed.has(pod.spec.nodeName)) this.onPod(pod.metadata!.labels![LABEL.session], pod);
    });
  }

  private get resyncIntervalMs(): number {
    return this.options.resyncIntervalMs ?? 60_000;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.nodes.refresh();
    await this.informer.start();
    this.nodes.startPeriodic();
  }

  async shutdown(): Promise<void> {
    this.running = false;
    this.nodes.stop();
    await this.informer.stop();
    this.api.close();
    this.observations.clearListeners();
    for (const waiters of this.podWaiters.values()) for (const wake of waiters) wake();
  }

  watch(listener: (o: RuntimeObservation) => void): () => void {
    return this.observations.subscribe(listener);
  }

  observe(sessionId: string): RuntimeObservation | undefined {
    return this.observations.get(sessionId);
  }

  async ensureWorkspace(spec: WorkspaceSpec): Promise<void> {
    const storage = spec.storage || this.options.workspaceSize || '10Gi';
    await this.api.createClaim(this.options.namespace, buildWorkspaceClaim({ ...spec, storage }, { ...this.ctx, storageClassName: this.options.storageClassName }));
  }

  async deleteWorkspace(trialId: string): Promise<void> {
    await this.api.deleteClaim(this.options.namespace, workspaceClaimName(trialId));
  }

  /**
   * Secret, then Pod, then the Secret's owner reference (the pod's uid exists only now), then
   * the Service. Each step accepts what an earlier, interrupted call already created.
   */
  async launch(spec: SessionSpec): Promise<void> {
    const ns = this.options.namespace;
    const name = sessionObjectName(spec.sessionId);
    this.forgetFailure(spec.sessionId);
    const secret = await this.api.createSecret(ns, buildSessionSecret(spec, this.ctx));
    if (!secret.created && !sameData(secret.object.data, secretData(spec))) {
      // Left over from an earlier generation of this session: this launch's tokens win.
      await this.api.patchSecret(ns, name, { data: secretData(spec) });
    }
    const pod = await this.api.createPod(ns, buildSessionPod(spec, { ...this.ctx, terminationGracePeriodSeconds: this.options.terminationGracePeriodSeconds })).catch((err: unknown) => {
      throw explainPodRefusal(err, spec.profile);
    });
    if (!pod.created && (pod.object.metadata?.deletionTimestamp || !isPodActive(pod.object))) {
      // A pod of an earlier run (finished, or being deleted) holds the name: it must go first.
      if (!pod.object.metadata?.deletionTimestamp) await this.api.deletePod(ns, name, 0);
      throw new TransientRuntimeError(`The previous pod of session ${spec.sessionId} is still shutting down; launching again once it is gone`);
    }
    const owner = ownerReferenceTo(pod.object);
    if (!ownedBy(secret.object, owner.uid)) await this.api.patchSecret(ns, name, { metadata: { ownerReferences: [owner] } });
    const service = await this.api.createService(ns, buildSessionService(spec, this.ctx, pod.object));
    if (!service.created && !ownedBy(service.object, owner.uid)) await this.api.patchService(ns, name, { metadata: { ownerReferences: [owner] } });
    // The informer may not have seen the pod yet; the API's answer is as good a first observation.
    if (!this.informer.get(spec.sessionId)) this.record(observePod(pod.object, this.statusContext(pod.object)));
  }

  /** Deletes pod (with the grace period for the preStop hook), secret and service; resolves once the pod is gone. */
  async terminate(sessionId: string, options: { gracePeriodSeconds?: number } = {}): Promise<void> {
    const ns = this.options.namespace;
    const name = sessionObjectName(sessionId);
    const grace = options.gracePeriodSeconds ?? this.options.terminationGracePeriodSeconds;
    this.terminating.set(sessionId, (this.terminating.get(sessionId) ?? 0) + 1);
    try {
      await this.api.deletePod(ns, name, grace);
      await Promise.all([this.api.deleteSecret(ns, name), this.api.deleteService(ns, name)]);
      const graceMs = (grace ?? this.options.terminationGracePeriodSeconds ?? 60) * 1000;
      await this.waitForPodGone(sessionId, graceMs + (this.options.terminateTimeoutMs ?? 30_000));
      this.forgetFailure(sessionId);
    } finally {
      const left = (this.terminating.get(sessionId) ?? 1) - 1;
      if (left > 0) this.terminating.set(sessionId, left);
      else this.terminating.delete(sessionId);
    }
  }

  async listManaged(): Promise<ManagedResources> {
    const ns = this.options.namespace;
    const selector = managedSelector(this.options.installationId);
    const [pods, secrets, services, claims] = await Promise.all([
      this.api.listPods(ns, selector),
      this.api.listSecrets(ns, selector),
      this.api.listServices(ns, selector),
      this.api.listClaims(ns, selector),
    ]);
    const sessionIds = new Set<string>();
    const trialIds = new Set<string>();
    for (const o of [...pods.items, ...secrets.items, ...services.items, ...claims.items]) {
      const labels = o.metadata?.labels ?? {};
      if (labels[LABEL.session]) sessionIds.add(labels[LABEL.session]);
      if (labels[LABEL.trial]) trialIds.add(labels[LABEL.trial]);
    }
    return { sessionIds: [...sessionIds], trialIds: [...trialIds] };
  }

  async capacity(): Promise<RuntimeCapacity> {
    const { nodes, used } = await this.nodesAndUse();
    return {
      nodes: nodes.map((n) => ({
        name: n.metadata?.name ?? '',
        arch: n.metadata?.labels?.['kubernetes.io/arch'] ?? n.status?.nodeInfo?.architecture ?? null,
        labels: { ...(n.metadata?.labels ?? {}) },
        gpus: wholeNumber(n.status?.allocatable?.['nvidia.com/gpu']),
        gpusUsed: used.get(n.metadata?.name ?? '') ?? 0,
        ready: isNodeReady(n),
      })),
    };
  }

  async machines(): Promise<RuntimeMachine[]> {
    const { nodes, used } = await this.nodesAndUse();
    return machinesFromNodes(nodes, used);
  }

  /** The nodes as listed now, and the GPUs our session pods hold on each (from the pod cache once synced). */
  private async nodesAndUse(): Promise<{ nodes: V1Node[]; used: Map<string, number> }> {
    const nodes = (await this.api.listNodes()).items;
    this.nodes.apply(nodes);
    const pods = this.informer.hasSynced ? this.informer.list() : (await this.api.listPods(this.options.namespace, managedSelector(this.options.installationId, 'session'))).items;
    const used = new Map<string, number>();
    for (const pod of pods) {
      const node = pod.spec?.nodeName;
      if (node && isPodActive(pod)) used.set(node, (used.get(node) ?? 0) + requestedGpus(pod));
    }
    return { nodes, used };
  }

  private get ctx() {
    return { namespace: this.options.namespace, installationId: this.options.installationId };
  }

  private statusContext(pod: V1Pod) {
    const node = pod.spec?.nodeName;
    return { endpoint: this.endpoint, nodeReady: node ? this.nodes.isReady(node) : undefined };
  }

  private onPod(sessionId: string, pod: V1Pod | undefined): void {
    const previous = this.observations.get(sessionId);
    if (!pod && previous && !this.terminating.has(sessionId)) {
      void this.onUnexpectedDeletion(sessionId, previous);
      return;
    }
    const next = pod ? observePod(pod, this.statusContext(pod)) : podGone(sessionId);
    if (pod) this.gpusBySession.set(sessionId, requestedGpus(pod));
    else this.gpusBySession.delete(sessionId);
    this.record(next);
    this.wakePodWaiters(sessionId);
    // A pod that loses readiness may be on a node that stopped responding: look at the nodes now.
    if (pod && previous?.phase === 'ready' && next.phase === 'starting') void this.nodes.refresh();
  }

  /**
   * A pod we did not delete vanished. If it had failed, or its node stopped responding (the
   * taint manager deletes pods of lost nodes), that failure is kept as the session's last word
   * until the next launch or terminate, so the user reads why rather than "gone".
   */
  private async onUnexpectedDeletion(sessionId: string, previous: RuntimeObservation): Promise<void> {
    let last = previous;
    if (previous.phase !== 'failed' && previous.node) {
      await this.nodes.refresh();
      if (this.nodes.isReady(previous.node) === false) last = { sessionId, node: previous.node, ...nodeLost(this.gpusBySession.get(sessionId) ?? 0) };
    }
    this.gpusBySession.delete(sessionId);
    if (this.informer.get(sessionId)) return; // a new pod of the session appeared meanwhile
    if (last.phase === 'failed') {
      this.retainedFailures.add(sessionId);
      this.record(last);
    } else {
      this.record(podGone(sessionId));
    }
    this.wakePodWaiters(sessionId);
  }

  private forgetFailure(sessionId: string): void {
    if (this.retainedFailures.delete(sessionId) && !this.informer.get(sessionId)) this.observations.forget(sessionId);
  }

  private wakePodWaiters(sessionId: string): void {
    for (const wake of this.podWaiters.get(sessionId) ?? []) wake();
  }

  private record(observation: RuntimeObservation): void {
    this.observations.record(observation);
  }

  private async waitForPodGone(sessionId: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const name = sessionObjectName(sessionId);
    for (;;) {
      // The cache answers first; a direct read confirms, since the informer may lag behind our own writes.
      if (!this.informer.get(sessionId) && !(await this.api.readPod(this.options.namespace, name))) return;
      const left = deadline - Date.now();
      if (left <= 0) throw new TransientRuntimeError(`The pod of session ${sessionId} was still there ${Math.round(timeoutMs / 1000)} s after it was deleted`);
      await this.nextPodEvent(sessionId, Math.min(left, 2000));
    }
  }

  private nextPodEvent(sessionId: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const waiters = this.podWaiters.get(sessionId) ?? new Set<() => void>();
      this.podWaiters.set(sessionId, waiters);
      const wake = () => {
        clearTimeout(timer);
        waiters.delete(wake);
        if (!waiters.size) this.podWaiters.delete(sessionId);
        resolve();
      };
      const timer = setTimeout(wake, timeoutMs);
      waiters.add(wake);
    });
  }
}

function loadKubeConfig(path: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  if (path) kc.loadFromFile(path);
  else if (process.env.KUBERNETES_SERVICE_HOST) kc.loadFromCluster();
  else kc.loadFromDefault();
  if (!kc.getCurrentCluster()) throw new Error(`No Kubernetes cluster is configured${path ? ` in ${path}` : ''}: set KUBECONFIG or run inside a cluster`);
  return kc;
}

function validateOptions(o: KubernetesRuntimeOptions): void {
  const problems: string[] = [];
  if (!DNS_LABEL.test(o.namespace ?? '')) problems.push(`namespace "${o.namespace}" is not a valid Kubernetes namespace name`);
  if (!o.installationId || !isValidLabelValue(o.installationId)) problems.push(`installation id "${o.installationId}" is not a valid label value (at most 63 letters, digits, "-", "_", ".")`);
  if (o.endpoint && o.endpoint !== 'service' && o.endpoint !== 'pod-ip') problems.push(`endpoint must be "service" or "pod-ip", not "${o.endpoint}"`);
  if (o.terminationGracePeriodSeconds !== undefined && !(Number.isInteger(o.terminationGracePeriodSeconds) && o.terminationGracePeriodSeconds >= 0)) problems.push('terminationGracePeriodSeconds must be a whole number of seconds');
  if (problems.length) throw new Error(`The kubernetes runtime is misconfigured: ${problems.join('; ')}`);
}


function ownedBy(o: { metadata?: { ownerReferences?: Array<{ uid: string }> } }, uid: string): boolean {
  return !!o.metadata?.ownerReferences?.some((r) => r.uid === uid);
}

function sameData(a: Record<string, string> | undefined, b: Record<string, string>): boolean {
  return !!a && Object.keys(b).every((k) => a[k] === b[k]);
}

function wholeNumber(quantity: string | undefined): number {
  const n = Number(quantity ?? 0);
  return Number.isFinite(n) ? Math.floor(n) : 0;
}
