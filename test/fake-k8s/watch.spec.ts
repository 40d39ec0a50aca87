import { makeInformer, type V1Pod } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeKubernetes, type FakeKubernetes } from './index';
import { coreApi, eventually, pod } from './test-client';

/** Reads a raw watch stream: newline-delimited JSON events, until the server ends it or `stopAfter` says so. */
async function readWatch(url: string, stopAfter: (events: any[]) => boolean = () => false, timeoutMs = 5_000): Promise<{ events: any[]; endedByServer: boolean }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const res = await fetch(url, { signal: controller.signal, headers: { authorization: 'Bearer fake-k8s-token' } });
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const events: any[] = [];
  let buffer = '';
  let endedByServer = false;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) {
        endedByServer = true;
        break;
      }
      buffer += decoder.decode(value, { stream: true });
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        events.push(JSON.parse(buffer.slice(0, newline)));
        buffer = buffer.slice(newline + 1);
      }
      if (stopAfter(events)) break;
    }
  } catch (error: any) {
    if (error.name !== 'AbortError') throw error;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return { events, endedByServer };
}

describe('fake API server: list + watch', () => {
  let fake: FakeKubernetes;
  let core: ReturnType<typeof coreApi>['core'];
  let kc: ReturnType<typeof coreApi>['kc'];
  const namespace = 'watching';

  beforeEach(async () => {
    fake = await startFakeKubernetes({ port: 0, kubeletDelayMs: 10, cpuOnlyNodes: 1, historySize: 200, bookmarkIntervalMs: 100 });
    ({ core, kc } = coreApi(fake));
  });
  afterEach(() => fake.close());

  it('resumes from a resourceVersion with every later change, filtered by label, with BOOKMARKs, and closes at timeoutSeconds', async () => {
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'before', labels: { app: 'w' } } } });
    const listed = await core.listNamespacedConfigMap({ namespace });
    const from = listed.metadata!.resourceVersion!;
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'one', labels: { app: 'w' } } } });
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'other', labels: { app: 'x' } } } });
    await core.patchNamespacedConfigMap({ namespace, name: 'one', body: [{ op: 'add', path: '/data', value: { k: 'v' } }] });
    await core.patchNamespacedConfigMap({ namespace, name: 'before', body: [{ op: 'replace', path: '/metadata/labels/app', value: 'gone' }] });
    await core.deleteNamespacedConfigMap({ namespace, name: 'one' });
    const url = `${fake.url}/api/v1/namespaces/${namespace}/configmaps?watch=true&resourceVersion=${from}&labelSelector=app%3Dw&allowWatchBookmarks=true&timeoutSeconds=1`;
    const watching = readWatch(url);
    // A change made while the watch is open arrives too: the stream stays open until timeoutSeconds, then the server ends it.
    await new Promise((r) => setTimeout(r, 100));
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'late', labels: { app: 'w' } } } });
    const { events, endedByServer } = await watching;
    expect(endedByServer).toBe(true);
    const changes = events.filter((e) => e.type !== 'BOOKMARK').map((e) => `${e.type} ${e.object.metadata.name}`);
    // "before" left the selector: a watch sees that as DELETED, like the real watch cache.
    expect(changes).toEqual(['ADDED one', 'MODIFIED one', 'DELETED before', 'DELETED one', 'ADDED late']);
    const rvs = events.filter((e) => e.type !== 'BOOKMARK').map((e) => Number(e.object.metadata.resourceVersion));
    expect(rvs).toEqual([...rvs].sort((a, b) => a - b));
    expect(rvs[0]).toBeGreaterThan(Number(from));
    const bookmark = events.find((e) => e.type === 'BOOKMARK');
    expect(bookmark.object).toEqual({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion: expect.stringMatching(/^\d+$/) } });
  });

  it('answers a watch from a compacted resourceVersion with an ERROR event carrying Status 410 Expired', async () => {
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'a' } } });
    const old = (await core.listNamespacedConfigMap({ namespace })).metadata!.resourceVersion!;
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'b' } } });
    fake.faults.compactHistory();
    const { events, endedByServer } = await readWatch(`${fake.url}/api/v1/namespaces/${namespace}/configmaps?watch=true&resourceVersion=${old}`);
    expect(endedByServer).toBe(true);
    expect(events).toEqual([
      { type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: expect.stringMatching(/^too old resource version: \d+ \(\d+\)$/), reason: 'Expired', code: 410 } },
    ]);
    // History is bounded too: with historySize 200, older versions expire on their own.
    for (let i = 0; i < 210; i++) await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: `bulk-${i}` } } });
    const fresh = (await core.listNamespacedConfigMap({ namespace, limit: 1 })).metadata!.resourceVersion!;
    const stale = await readWatch(`${fake.url}/api/v1/namespaces/${namespace}/configmaps?watch=true&resourceVersion=${Number(fresh) - 205}`);
    expect(stale.events[0].object.code).toBe(410);
  });

  it('starts a watch without resourceVersion with ADDED events for what exists, then streams changes', async () => {
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'existing' } } });
    const reading = readWatch(`${fake.url}/api/v1/namespaces/${namespace}/configmaps?watch=1`, (events) => events.length >= 2);
    await new Promise((r) => setTimeout(r, 100));
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'new' } } });
    const { events } = await reading;
    expect(events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED existing', 'ADDED new']);
    expect(events[0].object.kind).toBe('ConfigMap');
  });

  it('feeds client-node informers: list, watch, survive dropped watches and relist after 410 Gone', async () => {
    const seen: string[] = [];
    const errors: unknown[] = [];
    const informer = makeInformer<V1Pod>(kc, `/api/v1/namespaces/${namespace}/pods`, () => core.listNamespacedPod({ namespace, labelSelector: 'app=inf' }), 'app=inf');
    informer.on('add', (p) => seen.push(`add ${p.metadata!.name}`));
    informer.on('update', (p) => seen.push(`update ${p.metadata!.name} ${p.status?.phase}`));
    informer.on('delete', (p) => seen.push(`delete ${p.metadata!.name}`));
    informer.on('error', (e) => errors.push(e));
    await core.createNamespacedPod({ namespace, body: pod('listed', { labels: { app: 'inf' } }) });
    await core.createNamespacedPod({ namespace, body: pod('not-mine', { labels: { app: 'other' } }) });
    await informer.start();
    await eventually('the informer to list', () => informer.list(namespace).map((p) => p.metadata!.name), (names) => names.includes('listed'));
    await core.createNamespacedPod({ namespace, body: pod('watched', { labels: { app: 'inf' } }) });
    await eventually('the watched pod to run in the cache', () => informer.get('watched', namespace)?.status?.phase, (phase) => phase === 'Running');
    expect(informer.list(namespace).map((p) => p.metadata!.name).sort()).toEqual(['listed', 'watched']);

    // A dropped connection: client-node reports it as an error and stops; restarting resumes from the last resourceVersion.
    fake.faults.dropWatches();
    await eventually('the informer to notice the dropped watch', () => errors.length, (n) => n > 0);
    const listsBefore = fake.requests.filter((r) => r.verb === 'list' && r.resource === 'pods').length;
    await core.deleteNamespacedPod({ namespace, name: 'listed', gracePeriodSeconds: 0 });
    await informer.start();
    await eventually('the deletion made while disconnected to arrive', () => informer.list(namespace).map((p) => p.metadata!.name), (names) => !names.includes('listed'));
    expect(fake.requests.filter((r) => r.verb === 'list' && r.resource === 'pods').length).toBe(listsBefore);
    expect(seen).toContain('delete listed');

    // Disconnected while the history is compacted: the resumed watch gets 410 Gone, and the informer relists by itself.
    fake.faults.dropWatches();
    await eventually('the second error', () => errors.length, (n) => n > 1);
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'unrelated-change' } } });
    fake.faults.compactHistory();
    await core.createNamespacedPod({ namespace, body: pod('after-compaction', { labels: { app: 'inf' } }) });
    await informer.start();
    await eventually('the relisted cache', () => informer.list(namespace).map((p) => p.metadata!.name).sort(), (names) => names.join() === 'after-compaction,watched');
    expect(fake.requests.filter((r) => r.verb === 'list' && r.resource === 'pods').length).toBe(listsBefore + 1);
    const watches = fake.requests.filter((r) => r.verb === 'watch' && r.resource === 'pods');
    expect(watches.length).toBeGreaterThanOrEqual(4);
    await informer.stop();
  });

  it('watches cluster-wide and one object by name, through the legacy /watch/ path too', async () => {
    const from = (await core.listPodForAllNamespaces()).metadata!.resourceVersion!;
    await core.createNamespacedConfigMap({ namespace: 'ns-a', body: { metadata: { name: 'same' } } });
    await core.createNamespacedConfigMap({ namespace: 'ns-b', body: { metadata: { name: 'same' } } });
    await core.createNamespacedConfigMap({ namespace: 'ns-b', body: { metadata: { name: 'different' } } });
    const all = await readWatch(`${fake.url}/api/v1/configmaps?watch=true&resourceVersion=${from}`, (e) => e.length >= 3);
    expect(all.events.map((e) => `${e.object.metadata.namespace}/${e.object.metadata.name}`)).toEqual(['ns-a/same', 'ns-b/same', 'ns-b/different']);
    const one = await readWatch(`${fake.url}/api/v1/watch/namespaces/ns-b/configmaps/same?resourceVersion=${from}`, (e) => e.length >= 1);
    expect(one.events.map((e) => `${e.type} ${e.object.metadata.namespace}/${e.object.metadata.name}`)).toEqual(['ADDED ns-b/same']);
  });
});
