import { ApiException, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { createHash } from 'node:crypto';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { V1NodeList, V1PersistentVolumeClaim, V1PersistentVolumeClaimList, V1Pod, V1PodList, V1Secret, V1SecretList, V1Service, V1ServiceList } from '@kubernetes/client-node';
import { TransientRuntimeError } from '../session-runtime';

/**
 * A thin wrapper over CoreV1Api with the driver's error policy: transient failures (429 with
 * Retry-After, 5xx, timeouts, dropped connections) are retried with backoff and end in a
 * TransientRuntimeError when they persist, so the reconciler tries again later without
 * failing the session; 409 on create and 404 on delete are success; anything else becomes a
 * KubernetesApiError whose message says what was refused and why.
 */
export interface KubeApiOptions {
  /** Per request; a request that takes longer is aborted and retried. */
  requestTimeoutMs: number;
  /** Attempts per call before giving up with a TransientRuntimeError. */
  maxAttempts?: number;
  retryBaseDelayMs?: number;
  retryMaxDelayMs?: number;
  /** Connections kept open to the API server (requests beyond it wait their turn). Default 32. */
  maxSockets?: number;
  /** How the wait between attempts is spent; tests pass one that records the delays instead of taking them. */
  sleep?: (ms: number) => Promise<void>;
}

export class KubernetesApiError extends Error {
  constructor(message: string, readonly status?: number, readonly reason?: string) {
    super(message);
    this.name = 'KubernetesApiError';
  }
}

export interface Created<T> {
  object: T;
  /** false when it already existed (409) and `object` is the existing one. */
  created: boolean;
}

type RequestOptions = { middleware: unknown[]; middlewareMergeStrategy: 'append' };
type Call<T> = (options: RequestOptions) => Promise<T>;

const TRANSIENT_STATUS = new Set([429, 500, 502, 503, 504]);
const TRANSIENT_NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_SOCKET']);
const MERGE_PATCH = 'application/merge-patch+json';

export class KubeApi {
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly agents = new Map<string, HttpAgent>();

  constructor(
    private readonly core: CoreV1Api,
    private readonly options: KubeApiOptions,
  ) {
    this.maxAttempts = options.maxAttempts ?? 6;
    this.baseDelayMs = options.retryBaseDelayMs ?? 200;
    this.maxDelayMs = options.retryMaxDelayMs ?? 5000;
  }

  static fromConfig(kc: KubeConfig, options: KubeApiOptions): KubeApi {
    return new KubeApi(kc.makeApiClient(CoreV1Api), options);
  }

  // Pods
  createPod(namespace: string, body: V1Pod): Promise<Created<V1Pod>> {
    return this.create(`create pod ${body.metadata?.name}`, (o) => this.core.createNamespacedPod({ namespace, body }, o as never), () => this.readPod(namespace, body.metadata!.name!));
  }
  readPod(namespace: string, name: string): Promise<V1Pod | undefined> {
    return this.read(`read pod ${name}`, (o) => this.core.readNamespacedPod({ namespace, name }, o as never));
  }
  deletePod(namespace: string, name: string, gracePeriodSeconds?: number): Promise<boolean> {
    return this.delete(`delete pod ${name}`, (o) => this.core.deleteNamespacedPod({ namespace, name, gracePeriodSeconds }, o as never));
  }
  listPods(namespace: string, labelSelector: string): Promise<V1PodList> {
    return this.request(`list pods in ${namespace}`, (o) => this.core.listNamespacedPod({ namespace, labelSelector }, o as never));
  }

  // Secrets
  createSecret(namespace: string, body: V1Secret): Promise<Created<V1Secret>> {
    return this.create(`create secret ${body.metadata?.name}`, (o) => this.core.createNamespacedSecret({ namespace, body }, o as never), () => this.readSecret(namespace, body.metadata!.name!));
  }
  readSecret(namespace: string, name: string): Promise<V1Secret | undefined> {
    return this.read(`read secret ${name}`, (o) => this.core.readNamespacedSecret({ namespace, name }, o as never));
  }
  /** JSON merge patch (RFC 7386): lists such as ownerReferences are replaced as a whole. */
  patchSecret(namespace: string, name: string, patch: object): Promise<V1Secret> {
    return this.request(`patch secret ${name}`, (o) => this.core.patchNamespacedSecret({ namespace, name, body: patch }, withContentType(o, MERGE_PATCH) as never));
  }
  deleteSecret(namespace: string, name: string): Promise<boolean> {
    return this.delete(`delete secret ${name}`, (o) => this.core.deleteNamespacedSecret({ namespace, name }, o as never));
  }
  listSecrets(namespace: string, labelSelector: string): Promise<V1SecretList> {
    return this.request(`list secrets in ${namespace}`, (o) => this.core.listNamespacedSecret({ namespace, labelSelector }, o as never));
  }

  // Services
  createService(namespace: string, body: V1Service): Promise<Created<V1Service>> {
    return this.create(`create service ${body.metadata?.name}`, (o) => this.core.createNamespacedService({ namespace, body }, o as never), () => this.readService(namespace, body.metadata!.name!));
  }
  readService(namespace: string, name: string): Promise<V1Service | undefined> {
    return this.read(`read service ${name}`, (o) => this.core.readNamespacedService({ namespace, name }, o as never));
  }
  patchService(namespace: string, name: string, patch: object): Promise<V1Service> {
    return this.request(`patch service ${name}`, (o) => this.core.patchNamespacedService({ namespace, name, body: patch }, withContentType(o, MERGE_PATCH) as never));
  }
  deleteService(namespace: string, name: string): Promise<boolean> {
    return this.delete(`delete service ${name}`, (o) => this.core.deleteNamespacedService({ namespace, name }, o as never));
  }
  listServices(namespace: string, labelSelector: string): Promise<V1ServiceList> {
    return this.request(`list services in ${namespace}`, (o) => this.core.listNamespacedService({ namespace, labelSelector }, o as never));
  }

  // PersistentVolumeClaims
  createClaim(namespace: string, body: V1PersistentVolumeClaim): Promise<Created<V1PersistentVolumeClaim>> {
    return this.create(
      `create persistentvolumeclaim ${body.metadata?.name}`,
      (o) => this.core.createNamespacedPersistentVolumeClaim({ namespace, body }, o as never),
      () => this.read(`read persistentvolumeclaim ${body.metadata?.name}`, (o) => this.core.readNamespacedPersistentVolumeClaim({ namespace, name: body.metadata!.name! }, o as never)),
    );
  }
  deleteClaim(namespace: string, name: string): Promise<boolean> {
    return this.delete(`delete persistentvolumeclaim ${name}`, (o) => this.core.deleteNamespacedPersistentVolumeClaim({ namespace, name }, o as never));
  }
  listClaims(namespace: string, labelSelector: string): Promise<V1PersistentVolumeClaimList> {
    return this.request(`list persistentvolumeclaims in ${namespace}`, (o) => this.core.listNamespacedPersistentVolumeClaim({ namespace, labelSelector }, o as never));
  }

  // Nodes (cluster-scoped)
  listNodes(): Promise<V1NodeList> {
    return this.request('list nodes', (o) => this.core.listNode({}, o as never));
  }

  private async create<T>(what: string, call: Call<T>, readExisting: () => Promise<T | undefined>): Promise<Created<T>> {
    try {
      return { object: await this.request(what, call), created: true };
    } catch (err) {
      if (!(err instanceof KubernetesApiError) || err.status !== 409) throw err;
      // Created by an earlier attempt (ours or a retried request): that object is the result.
      const existing = await readExisting();
      if (!existing) throw new TransientRuntimeError(`Could not ${what}: it already exists but could not be read back (deleted meanwhile?)`);
      return { object: existing, created: false };
    }
  }

  private async read<T>(what: string, call: Call<T>): Promise<T | undefined> {
    try {
      return await this.request(what, call);
    } catch (err) {
      if (err instanceof KubernetesApiError && err.status === 404) return undefined;
      throw err;
    }
  }

  private async delete(what: string, call: Call<unknown>): Promise<boolean> {
    try {
      await this.request(what, call);
      return true;
    } catch (err) {
      if (err instanceof KubernetesApiError && err.status === 404) return false;
      throw err;
    }
  }

  /** One API call under the retry policy. */
  async request<T>(what: string, call: Call<T>): Promise<T> {
    let lastProblem = '';
    for (let attempt = 1; ; attempt++) {
      try {
        return await call(this.timeoutOptions());
      } catch (err) {
        const transient = transientProblem(err, this.options.requestTimeoutMs);
        if (!transient) throw toApiError(what, err);
        lastProblem = transient.description;
        if (attempt >= this.maxAttempts) break;
        await (this.options.sleep ?? sleep)(this.delayFor(attempt, transient.retryAfterMs));
      }
    }
    throw new TransientRuntimeError(`The Kubernetes API server did not ${what} after ${this.maxAttempts} attempts (last: ${lastProblem})`);
  }

  private delayFor(attempt: number, retryAfterMs: number | undefined): number {
    if (retryAfterMs !== undefined) return Math.min(retryAfterMs, 30_000);
    const ceiling = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1));
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }

  private timeoutOptions(): RequestOptions {
    const timeoutMs = this.options.requestTimeoutMs;
    return {
      middleware: [
        requestMiddleware((ctx) => {
          ctx.setSignal(AbortSignal.timeout(timeoutMs));
          const agent = ctx.getAgent();
          if (agent) ctx.setAgent(this.pooled(agent));
        }),
      ],
      middlewareMergeStrategy: 'append',
    };
  }

  /**
   * client-node builds a new Agent (a new connection, and TLS handshake) for every request;
   * under a launch storm that is thousands of connections. Requests share one keep-alive agent
   * per distinct TLS identity instead (a rotated client certificate gets a new one).
   */
  private pooled(fresh: HttpAgent): HttpAgent {
    const options = { ...((fresh as unknown as { options?: Record<string, unknown> }).options ?? {}) };
    delete options.path;
    const secure = fresh instanceof HttpsAgent;
    const key = createHash('sha256').update(`${secure}|${JSON.stringify(options)}`).digest('hex');
    let agent = this.agents.get(key);
    if (!agent) {
      const pool = { ...options, keepAlive: true, maxSockets: this.options.maxSockets ?? 64 };
      agent = secure ? new HttpsAgent(pool) : new HttpAgent(pool);
      this.agents.set(key, agent);
    }
    fresh.destroy();
    return agent;
  }

  /** Closes pooled connections. */
  close(): void {
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }
}

interface RequestContextLike {
  setSignal(s: AbortSignal): void;
  setHeaderParam(k: string, v: string): void;
  getAgent(): HttpAgent | undefined;
  setAgent(agent: HttpAgent): void;
}

/**
 * client-node's object API takes middleware in its Observable form; its Observable is a small
 * stub whose only method the pipeline calls is toPromise().
 */
function requestMiddleware(change: (ctx: RequestContextLike) => void) {
  const observable = <T>(value: T) => ({ toPromise: () => Promise.resolve(value) });
  return {
    pre: (ctx: RequestContextLike) => (change(ctx), observable(ctx)),
    post: <T>(res: T) => observable(res),
  };
}

function withContentType(options: RequestOptions, contentType: string): RequestOptions {
  return { ...options, middleware: [...options.middleware, requestMiddleware((ctx) => ctx.setHeaderParam('Content-Type', contentType))] };
}

/** Whether an error is worth retrying, and how long the server asked us to wait. */
export function transientProblem(err: unknown, timeoutMs: number): { description: string; retryAfterMs?: number } | undefined {
  if (err instanceof ApiException) {
    if (!TRANSIENT_STATUS.has(err.code)) return undefined;
    const retryAfter = headerValue(err.headers, 'retry-after');
    const seconds = retryAfter !== undefined ? Number(retryAfter) : NaN;
    const status = statusOf(err.body);
    return { description: `HTTP ${err.code}${status?.message ? ` ${status.message}` : ''}`, ...(Number.isFinite(seconds) ? { retryAfterMs: seconds * 1000 } : {}) };
  }
  const e = err as { name?: string; type?: string; code?: string; message?: string; cause?: { code?: string } } | undefined;
  if (e?.name === 'AbortError' || e?.name === 'TimeoutError' || e?.type === 'aborted' || e?.type === 'request-timeout') return { description: `no answer within ${timeoutMs} ms` };
  const code = e?.code ?? e?.cause?.code;
  if (code && TRANSIENT_NETWORK.has(code)) return { description: `${code} (${e?.message ?? 'connection problem'})` };
  if (e?.type === 'system' || /socket hang up|ECONNRESET|ECONNREFUSED/i.test(e?.message ?? '')) return { description: e?.message ?? 'connection problem' };
  return undefined;
}

/** A non-transient failure as an error a person can act on. */
export function toApiError(what: string, err: unknown): Error {
  if (!(err instanceof ApiException)) return new KubernetesApiError(`Could not ${what}: ${(err as Error)?.message ?? String(err)}`);
  const status = statusOf(err.body);
  const detail = status?.message ?? (typeof err.body === 'string' && err.body ? err.body.slice(0, 300) : 'no details');
  const hint =
    err.code === 401 ? ' (the API server rejected the credentials; check KUBECONFIG or the service account token)'
    // 403 is RBAC ("User … cannot create resource …") or an admission plugin's refusal, which says why itself.
    : err.code === 403 && (!status?.message || /\bcannot \S+ resource\b/.test(status.message)) ? " (the control plane's service account lacks this permission; check its RBAC Role)"
    : '';
  return new KubernetesApiError(`Kubernetes refused to ${what}: ${detail}${hint} (HTTP ${err.code}${status?.reason ? ` ${status.reason}` : ''})`, err.code, status?.reason);
}

function statusOf(body: unknown): { message?: string; reason?: string } | undefined {
  let value = body;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  if (value && typeof value === 'object') {
    const { message, reason } = value as { message?: unknown; reason?: unknown };
    return { message: typeof message === 'string' ? message : undefined, reason: typeof reason === 'string' ? reason : undefined };
  }
  return undefined;
}

function headerValue(headers: Record<string, string> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key ? headers[key] : undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
