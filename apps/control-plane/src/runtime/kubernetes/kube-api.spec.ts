import { KubeConfig } from '@kubernetes/client-node';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TransientRuntimeError } from '../session-runtime';
import { KubeApi, KubernetesApiError } from './kube-api';

/** A scripted HTTP server standing in for the API server: each request takes the next answer. */
type Answer = { status: number; body?: unknown; headers?: Record<string, string>; delayMs?: number };
const status = (code: number, reason: string, message: string) => ({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason, message, code });
const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'trialhub-s-1', namespace: 'ns', uid: 'uid-1', resourceVersion: '7' }, spec: { containers: [{ name: 'notebook', image: 'x' }] } };

describe('KubeApi', () => {
  let server: Server;
  let script: Answer[] = [];
  const seen: Array<{ method: string; url: string; contentType?: string; at: number }> = [];
  let api: KubeApi;
  let connections = 0;
  let abandoned = 0;
  let kc: KubeConfig;

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      req.resume();
      seen.push({ method: req.method!, url: req.url!, contentType: req.headers['content-type'], at: Date.now() });
      const answer = script.shift() ?? { status: 500, body: status(500, 'InternalError', 'script exhausted') };
      // A client that hangs up before the answer is written (a timed-out request) is counted.
      res.on('close', () => {
        if (!res.writableFinished) abandoned++;
      });
      setTimeout(() => {
        if (res.destroyed) return;
        res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
        res.end(JSON.stringify(answer.body ?? {}));
      }, answer.delayMs ?? 0);
    });
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }],
      users: [{ name: 'u', token: 't' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    api = KubeApi.fromConfig(kc, { requestTimeoutMs: 300, maxAttempts: 4, retryBaseDelayMs: 10, retryMaxDelayMs: 40 });
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    script = [];
    seen.length = 0;
    abandoned = 0;
  });

  it('retries 500s and succeeds', async () => {
    script = [{ status: 500, body: status(500, 'InternalError', 'etcd hiccup') }, { status: 503, body: status(503, 'ServiceUnavailable', 'busy') }, { status: 201, body: pod }];
    const result = await api.createPod('ns', pod);
    expect(result).toMatchObject({ created: true, object: { metadata: { uid: 'uid-1' } } });
    expect(seen.map((r) => r.method)).toEqual(['POST', 'POST', 'POST']);
  });

  it('waits as long as a 429\'s Retry-After asks', async () => {
    // The wait is recorded, not taken: what is checked is the delay asked for, not the clock.
    const waits: number[] = [];
    const recording = KubeApi.fromConfig(kc, { requestTimeoutMs: 300, maxAttempts: 4, retryBaseDelayMs: 10, retryMaxDelayMs: 40, sleep: async (ms) => void waits.push(ms) });
    script = [{ status: 429, body: status(429, 'TooManyRequests', 'slow down'), headers: { 'retry-after': '1' } }, { status: 200, body: { kind: 'PodList', apiVersion: 'v1', metadata: {}, items: [] } }];
    await recording.listPods('ns', 'a=b');
    recording.close();
    expect(waits).toEqual([1000]);
    expect(seen).toHaveLength(2);
    expect(seen[0].url).toContain('labelSelector=a%3Db');
  });

  it('aborts a request that does not answer in time and retries it', async () => {
    script = [{ status: 200, body: pod, delayMs: 2000 }, { status: 200, body: pod }];
    expect(await api.readPod('ns', 'trialhub-s-1')).toMatchObject({ metadata: { name: 'trialhub-s-1' } });
    expect(seen).toHaveLength(2);
    // The first answer never went out: the client had hung up on it.
    expect(abandoned).toBe(1);
  });

  it('gives up on a persistent outage with a TransientRuntimeError naming the call', async () => {
    script = Array.from({ length: 4 }, () => ({ status: 503, body: status(503, 'ServiceUnavailable', 'apiserver is shutting down') }));
    const err = await api.listNodes().catch((e) => e);
    expect(err).toBeInstanceOf(TransientRuntimeError);
    expect(err.message).toMatch(/did not list nodes after 4 attempts \(last: HTTP 503 apiserver is shutting down\)/);
  });

  it('treats 409 on create as success and returns the existing object', async () => {
    script = [{ status: 409, body: status(409, 'AlreadyExists', 'pods "trialhub-s-1" already exists') }, { status: 200, body: pod }];
    const result = await api.createPod('ns', pod);
    expect(result).toMatchObject({ created: false, object: { metadata: { uid: 'uid-1' } } });
    expect(seen.map((r) => `${r.method} ${r.url.split('?')[0]}`)).toEqual(['POST /api/v1/namespaces/ns/pods', 'GET /api/v1/namespaces/ns/pods/trialhub-s-1']);
  });

  it('treats 404 on delete as success', async () => {
    script = [{ status: 404, body: status(404, 'NotFound', 'secrets "x" not found') }];
    expect(await api.deleteSecret('ns', 'x')).toBe(false);
  });

  it('turns a rejection into an error a person can act on, without retrying it', async () => {
    script = [{ status: 422, body: status(422, 'Invalid', 'Pod "trialhub-s-1" is invalid: spec.containers[0].image: Required value') }];
    const err = await api.createPod('ns', pod).catch((e) => e);
    expect(err).toBeInstanceOf(KubernetesApiError);
    expect(err.message).toBe('Kubernetes refused to create pod trialhub-s-1: Pod "trialhub-s-1" is invalid: spec.containers[0].image: Required value (HTTP 422 Invalid)');
    script = [{ status: 403, body: status(403, 'Forbidden', 'pods is forbidden: User "system:serviceaccount:trialhub:cp" cannot create resource "pods"') }];
    expect((await api.createPod('ns', pod).catch((e) => e)).message).toMatch(/lacks this permission; check its RBAC Role/);
    // An admission plugin's 403 is not a permission problem: no RBAC hint.
    script = [{ status: 403, body: status(403, 'Forbidden', 'pods "trialhub-s-1" is forbidden: pod rejected: RuntimeClass "gvisor" not found') }];
    const admission = await api.createPod('ns', pod).catch((e) => e);
    expect(admission.message).toBe('Kubernetes refused to create pod trialhub-s-1: pods "trialhub-s-1" is forbidden: pod rejected: RuntimeClass "gvisor" not found (HTTP 403 Forbidden)');
    expect(seen).toHaveLength(3);
  });

  it('patches with a JSON merge patch', async () => {
    script = [{ status: 200, body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } } }];
    await api.patchSecret('ns', 's', { metadata: { ownerReferences: [] } });
    expect(seen[0]).toMatchObject({ method: 'PATCH', contentType: 'application/merge-patch+json' });
  });

  it('keeps connections to the API server open across requests', async () => {
    script = Array.from({ length: 5 }, () => ({ status: 200, body: pod }));
    const fresh = KubeApi.fromConfig(kc, { requestTimeoutMs: 300 });
    const before = connections;
    for (let i = 0; i < 5; i++) await fresh.readPod('ns', 'trialhub-s-1');
    expect(connections - before).toBe(1);
    fresh.close();
  });

  it('retries a refused connection', async () => {
    const kc = new KubeConfig();
    kc.loadFromOptions({ clusters: [{ name: 'c', server: 'http://127.0.0.1:1', skipTLSVerify: true }], users: [{ name: 'u' }], contexts: [{ name: 'x', cluster: 'c', user: 'u' }], currentContext: 'x' });
    const down = KubeApi.fromConfig(kc, { requestTimeoutMs: 300, maxAttempts: 2, retryBaseDelayMs: 5 });
    const err = await down.listNodes().catch((e) => e);
    expect(err).toBeInstanceOf(TransientRuntimeError);
    expect(err.message).toMatch(/ECONNREFUSED/);
  });
});
