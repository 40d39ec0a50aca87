import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startTestServer, TestServer } from '../support/server';
import { buildPortalIfStale, launchBrowser, newContext, screenshot, signUpInBrowser } from './support/browser';

describe('portal: a notebook session on the local runtime', () => {
  let browser: Browser;
  let server: TestServer;

  beforeAll(async () => {
    buildPortalIfStale();
    server = await startTestServer();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('launches, streams the progress to ready, opens Jupyter through the proxy in the same browser, and stops', { timeout: 240_000 }, async () => {
    const { context, page, errors } = await newContext(browser, server.url);
    await signUpInBrowser(page, 'ada@example.com');
    await page.getByRole('radio', { name: /^CPU only/ }).check();
    await page.getByRole('button', { name: 'Launch' }).click();
    await page.waitForURL(/\/sessions\/[0-9a-f-]{36}$/);
    const sessionId = page.url().split('/').pop()!;
    await screenshot(page, 'session-1-launching');

    // The events arrive over the SSE stream while the page stays put.
    const open = page.getByRole('link', { name: 'Open notebook' });
    await open.waitFor({ timeout: 90_000 });
    const log = await page.getByRole('log').textContent();
    expect(log).toBeTruthy();
    const steps = await page.locator('.steps .step-done').count();
    expect(steps).toBe(4);
    await expect(page.getByText('Your notebook is ready.').isVisible()).resolves.toBe(true);
    await screenshot(page, 'session-2-ready');

    await open.click();
    await page.waitForURL(new RegExp(`/notebook/${sessionId}/`));
    // Jupyter's own page, served through the control plane's proxy with the user's cookie.
    // (Notebook 6's tree page is titled "Home Page"; what matters is that it is Jupyter, not the portal.)
    await page.waitForFunction(() => !document.getElementById('root') && /jupyter/i.test(document.documentElement.outerHTML) && document.querySelector('#notebook_list, .jp-LabShell, #main-panel, #main') !== null, undefined, { timeout: 60_000 });
    await expect(page.textContent('body')).resolves.not.toMatch(/password or token/i);
    await screenshot(page, 'session-3-notebook');

    await page.goBack();
    await page.getByRole('button', { name: 'Stop' }).click();
    await page.getByRole('button', { name: 'Resume' }).waitFor({ timeout: 60_000 });
    await page.getByText('This session is stopped.', { exact: false }).waitFor();
    await screenshot(page, 'session-4-stopped');
    expect(errors).toEqual([]);
    await context.close();
  });
});
