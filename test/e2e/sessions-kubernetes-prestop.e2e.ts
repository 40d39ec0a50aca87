import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOnce } from '../support/control-plane-process';
import { ApiClient } from '../support/http';
import { sessionPods, startFakeCluster, waitFor } from '../support/kube';
import { installNotebookSaveStandIn } from '../support/notebook-save-stand-in';
import { startTestServer, TestServer } from '../support/server';

type Cluster = Awaited<ReturnType<typeof startFakeCluster>>;
const view = (api: ApiClient, id: string) => api.get(`/api/sessions/${id}`).then((r) => r.body);
const until = (api: ApiClient, id: string, pred: (s: any) => boolean, what: string, ms = 30_000) => waitFor(what, () => view(api, id), pred, ms);
const METRICS = { testAccuracy: 0.846, validationAccuracy: null, trainAccuracy: 1, testCount: 52, classes: ['pool', 'no-pool'], steps: 500, mode: 'default', backend: 'wasm', seconds: 3.2, images: { skipped: [] } };

/** Stopping a session on Kubernetes saves its unsaved runs through the pod's preStop hook (the notebook image's trialhub-save). */
describe('a Kubernetes session\'s stop runs the notebook image\'s save step', () => {
  let cluster: Cluster;
  let server: TestServer;
  let volumes: string;
  let standIn: ReturnType<typeof installNotebookSaveStandIn>;

  beforeAll(async () => {
    buildOnce();
    volumes = mkdtempSync(join(tmpdir(), 'trialhub-volumes-'));
    cluster = await startFakeCluster({ nodes: [{ name: 'cpu-a', labels: { 'kubernetes.io/arch': 'amd64' }, gpus: 0 }] });
    standIn = installNotebookSaveStandIn(cluster.fake, (claim) => join(volumes, claim));
    server = await startTestServer(cluster.env);
  }, 180_000);
  afterAll(async () => {
    await server?.stop();
    await cluster?.fake.close();
    rmSync(volumes, { recursive: true, force: true });
  });

  it('uploads a run left unsaved in /data before the pod goes, and marks it saved', async () => {
    const api = new ApiClient(server.url);
    await api.signup('prestop@example.com');
    const launched = (await api.post('/api/sessions', { profile: 'cpu' })).body;
    await until(api, launched.id, (s) => s.state === 'ready', 'ready');
    const pod = sessionPods(cluster.fake).find((p: any) => p.metadata.name === `trialhub-s-${launched.id}`);
    expect(pod.spec.containers[0].lifecycle.preStop.exec.command).toEqual(['/opt/trialhub/bin/trialhub-save']);
    const claim = pod.spec.volumes.find((v: any) => v.persistentVolumeClaim).persistentVolumeClaim.claimName;
    const run = join(volumes, claim, 'results', 'afternoon-run');
    mkdirSync(run, { recursive: true });
    writeFileSync(join(run, 'metrics.json'), JSON.stringify(METRICS));
    writeFileSync(join(run, 'report.html'), '<!doctype html><title>report</title>');

    expect((await api.delete(`/api/sessions/${launched.id}`)).status).toBe(202);
    await until(api, launched.id, (s) => s.state === 'stopped', 'stopped');
    expect(standIn.runs, standIn.runs.map((r) => r.output).join('\n')).toEqual([expect.objectContaining({ pod: pod.metadata.name, code: 0 })]);
    const results = (await api.get('/api/results')).body;
    const items = Array.isArray(results) ? results : results.items;
    expect(items.map((r: any) => r.runName)).toEqual([expect.stringMatching(/^afternoon-run/)]);
    expect(JSON.parse(readFileSync(join(run, '.trialhub-saved'), 'utf8'))).toMatchObject({ resultId: items[0].id });
    expect(cluster.fake.objects('events', 'trialhub-sessions').filter((e: any) => e.reason === 'FailedPreStopHook')).toEqual([]);
  }, 120_000);
});
