import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { ApiClient } from '../support/http';
import { startFakeCluster } from '../support/kube';
import { startTestServer, TestServer } from '../support/server';
import { buildPortalIfStale, launchBrowser, newContext, capture, signUpInBrowser } from './support/browser';

const ADMIN = { ADMIN_EMAIL: 'ops@trialhub.test', ADMIN_PASSWORD: 'ops-password-1' };

describe('portal: a launch that fails (fake Kubernetes cluster)', () => {
  let browser: Browser;
  let server: TestServer;
  let cluster: Awaited<ReturnType<typeof startFakeCluster>>;

  beforeAll(async () => {
    buildPortalIfStale();
    cluster = await startFakeCluster({ nodes: [{ name: 'cpu-a', labels: { 'kubernetes.io/arch': 'amd64' }, gpus: 0 }] });
    server = await startTestServer({ ...cluster.env, ...ADMIN });
    const admin = new ApiClient(server.url);
    expect((await admin.post('/api/auth/login', { email: ADMIN.ADMIN_EMAIL, password: ADMIN.ADMIN_PASSWORD })).status).toBe(200);
    const created = await admin.post('/api/admin/profiles', { name: 'broken-image', displayName: 'Broken image', description: 'An image that does not exist.', image: 'registry.example/notebook:missing', slots: 5, gpus: 0, cpuRequest: '1', cpuLimit: '2', memoryRequest: '1Gi', memoryLimit: '2Gi' });
    expect(created.status).toBe(201);
    cluster.fake.kubelet.failImagePull('registry.example/notebook:missing');
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await cluster?.fake.close();
  });

  it('shows the failure and its reason as it streams in, and offers Resume', async () => {
    const { context, page, errors } = await newContext(browser, server.url);
    await signUpInBrowser(page, 'unlucky@example.com');
    await page.getByRole('radio', { name: /^Broken image/ }).check();
    await page.getByRole('button', { name: 'Launch' }).click();
    await page.waitForURL(/\/sessions\/[0-9a-f-]{36}$/);
    const alert = page.getByRole('alert');
    await alert.waitFor({ timeout: 30_000 });
    expect(await alert.textContent()).toMatch(/The session failed\..*image .* could not be pulled/i);
    await expect(page.locator('.step-failed').count()).resolves.toBe(1);
    await expect(page.getByRole('button', { name: 'Resume' }).isVisible()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: 'Stop' }).count()).resolves.toBe(0);
    await capture(page, 'session-5-failed');

    // The dashboard lists it as failed, with the reason.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click();
    const row = page.getByRole('row', { name: /Broken image|broken-image/ });
    await expect(row.textContent()).resolves.toMatch(/Failed.*could not be pulled/i);
    expect(errors).toEqual([]);
    await context.close();
  });
});
