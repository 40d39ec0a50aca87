import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newContext, screenshot } from '../browser/support/browser';
import { buildOnce } from '../support/control-plane-process';
import { ApiClient, setCookies } from '../support/http';
import { sessionPods, startFakeCluster, waitFor } from '../support/kube';
import { installNotebookStandIn } from '../support/notebook-stand-in';
import { startTestServer, TestServer } from '../support/server';

type Cluster = Awaited<ReturnType<typeof startFakeCluster>>;

/**
 * Issue 15, item 3, on Kubernetes: the notebook (the image's start-notebook, run by the fake
 * kubelet as the pod's container, reached through the proxy) shows the way back to its
 * session page and no Jupyter log-out, from the files the pod carries.
 */
describe('a Kubernetes notebook links back to its session page (Chromium, fake cluster)', () => {
  let cluster: Cluster;
  let server: TestServer;
  let browser: Browser;
  let volumes: string;
  let standIn: ReturnType<typeof installNotebookStandIn>;

  beforeAll(async () => {
    buildOnce();
    volumes = mkdtempSync(join(tmpdir(), 'trialhub-volumes-'));
    cluster = await startFakeCluster({ nodes: [{ name: 'cpu-a', labels: { 'kubernetes.io/arch': 'amd64' }, gpus: 0 }] });
    standIn = installNotebookStandIn(cluster.fake, (claim) => join(volumes, claim));
    server = await startTestServer(cluster.env);
    browser = await launchBrowser();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await cluster?.fake.close();
    rmSync(volumes, { recursive: true, force: true });
  });

  it('serves Jupyter with a "Trialhub session" link to the session page and without its Logout', async () => {
    const api = new ApiClient(server.url);
    await api.signup('kube-notebook@example.com');
    const login = await api.post('/api/auth/login', { email: 'kube-notebook@example.com', password: 'correct-horse-battery' });
    const launched = (await api.post('/api/sessions', { profile: 'cpu' })).body;
    const session = await waitFor('ready', () => api.get(`/api/sessions/${launched.id}`).then((r) => r.body), (s) => s.state === 'ready' || s.state === 'failed', 90_000);
    expect(session.state, [...standIn.logs.values()].join('\n')).toBe('ready');
    // Ready came from the pod's readiness probe against the real Jupyter on the pod's own IP.
    const pod = sessionPods(cluster.fake).find((p: any) => p.metadata.name === `trialhub-s-${session.id}`);
    expect(pod.status.podIP).not.toBe('127.0.0.1');
    expect(cluster.fake.objects('events', 'trialhub-sessions').some((e: any) => e.involvedObject.name === pod.metadata.name && e.reason === 'Started')).toBe(true);

    // The portal at its public address (PUBLIC_URL: http://localhost:<port> here), where the link leads back.
    const portal = `http://localhost:${new URL(server.url).port}`;
    const { context, page } = await newContext(browser, portal);
    await context.addCookies(setCookies(login.headers).map((c) => {
      const [name, ...v] = c.split(';')[0].split('=');
      return { name, value: v.join('='), url: portal };
    }));
    await page.goto(`/notebook/${session.id}/tree`);
    await page.waitForFunction(() => document.querySelector('#notebook_list') !== null, undefined, { timeout: 60_000 });
    expect(new URL(page.url()).origin).toBe(`http://${session.id}.localhost:${new URL(server.url).port}`);
    const back = page.getByRole('link', { name: 'Trialhub session' });
    await back.waitFor();
    expect(await back.getAttribute('href')).toBe(`${portal}/sessions/${session.id}`);
    await expect(page.getByRole('button', { name: /log ?out/i }).isVisible()).resolves.toBe(false);
    await expect(page.locator('#logout').isVisible()).resolves.toBe(false);
    await screenshot(page, 'kube-notebook-way-back-1280');
    await back.click();
    await page.waitForURL(new RegExp(`/sessions/${session.id}$`));
    await page.getByRole('heading', { name: /Notebook session/ }).waitFor();
  }, 150_000);
});
