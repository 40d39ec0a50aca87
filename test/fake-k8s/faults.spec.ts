import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKubernetes, type FakeKubernetes } from './index';
import { coreApi, statusOf } from './test-client';

describe('fake API server: injected faults and the request log', () => {
  let fake: FakeKubernetes;
  let core: ReturnType<typeof coreApi>['core'];

  beforeAll(async () => {
    fake = await startFakeKubernetes({ port: 0, kubeletDelayMs: 10 });
    core = coreApi(fake).core;
  });
  afterAll(() => fake.close());

  it('fails the next matching requests with 500, 503, 429 (Retry-After) and 504 Status bodies, then serves again', async () => {
    fake.faults.failNext(1, 500, { method: 'POST' });
    fake.faults.failNext(1, 429, { method: 'POST', pathIncludes: '/secrets' });
    fake.faults.failNext(1, 503, { pathIncludes: '/configmaps' });
    fake.faults.failNext(1, 504);
    const body = { metadata: { name: 's' } };
    expect(await statusOf(core.createNamespacedSecret({ namespace: 'f', body }))).toMatchObject({ kind: 'Status', code: 500, reason: 'InternalError' });
    const res = await fetch(`${fake.url}/api/v1/namespaces/f/secrets`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(await res.json()).toMatchObject({ reason: 'TooManyRequests', details: { retryAfterSeconds: 1 } });
    expect(await statusOf(core.listNamespacedConfigMap({ namespace: 'f' }))).toMatchObject({ code: 503, reason: 'ServiceUnavailable' });
    expect(await statusOf(core.listNamespacedPod({ namespace: 'f' }))).toMatchObject({ code: 504, reason: 'Timeout' });
    expect((await core.createNamespacedSecret({ namespace: 'f', body })).metadata!.name).toBe('s');
    const log = fake.requests.filter((r) => r.namespace === 'f').map((r) => `${r.verb} ${r.resource} ${r.status}`);
    expect(log).toEqual(['create secrets 500', 'create secrets 429', 'list configmaps 503', 'list pods 504', 'create secrets 201']);
  });

  it('delays the next matching requests', async () => {
    fake.faults.delayNext(1, 300, { method: 'GET', pathIncludes: '/namespaces/slow/' });
    // Order, not the clock: the delayed request is overtaken by the next one, which is not delayed.
    const finished: string[] = [];
    const delayed = core.listNamespacedPod({ namespace: 'slow' }).then(() => finished.push('delayed'));
    await new Promise((r) => setTimeout(r, 20));
    await core.listNamespacedPod({ namespace: 'slow' }).then(() => finished.push('next'));
    await delayed;
    expect(finished).toEqual(['next', 'delayed']);
  });

  it('records verb, resource, namespace, name and status of every call, for RBAC comparison', async () => {
    await core.createNamespacedPod({ namespace: 'rbac', body: { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'i:1' }] } } });
    await core.readNamespacedPodStatus({ namespace: 'rbac', name: 'p' });
    await statusOf(core.readNamespacedPodLog({ namespace: 'rbac', name: 'missing' }));
    await core.deleteNamespacedPod({ namespace: 'rbac', name: 'p', gracePeriodSeconds: 0 });
    expect(fake.requests.filter((r) => r.namespace === 'rbac').map(({ method, verb, resource, name, status }) => ({ method, verb, resource, name, status }))).toEqual([
      { method: 'POST', verb: 'create', resource: 'pods', name: undefined, status: 201 },
      { method: 'GET', verb: 'get', resource: 'pods/status', name: 'p', status: 200 },
      { method: 'GET', verb: 'get', resource: 'pods/log', name: 'missing', status: 404 },
      { method: 'DELETE', verb: 'delete', resource: 'pods', name: 'p', status: 200 },
    ]);
  });

  it('rejects a wrong bearer token with 401 and bad bodies with 400/415, never a 500', async () => {
    const wrong = await fetch(`${fake.url}/api/v1/pods`, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    const notJson = await fetch(`${fake.url}/api/v1/namespaces/x/pods`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{nope' });
    expect(notJson.status).toBe(400);
    const yaml = await fetch(`${fake.url}/api/v1/namespaces/x/pods/p`, { method: 'PATCH', headers: { 'content-type': 'application/apply-patch+yaml' }, body: 'a: b' });
    expect(yaml.status).toBe(415);
    const wrongKind = await fetch(`${fake.url}/api/v1/namespaces/x/secrets`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'Pod', metadata: { name: 'x' } }) });
    expect(wrongKind.status).toBe(400);
    expect((await fetch(`${fake.url}/api/v1/widgets`)).status).toBe(404);
    expect((await fetch(`${fake.url}/openapi/v2`)).status).toBe(404);
  });
});
