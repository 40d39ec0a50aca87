import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startFakeCluster } from '../support/kube';
import { poolHousesDataset } from '../support/shared-dataset';
import { accessibilityProblems } from './support/accessibility';
import { captureAtWidths, newContext, screenshot, signUpInBrowser } from './support/browser';
import { useBrowserServer } from './support/browser-server';

/** What covers the point (x, y): the dialog's backdrop must be on top of everything, the header too. */
const topmostAt = (page: Page, x: number, y: number) => page.evaluate(([px, py]) => {
  const el = document.elementFromPoint(px, py);
  return el?.closest('.dialog-backdrop') ? 'backdrop' : el?.closest('.topbar') ? 'header' : el?.tagName ?? null;
}, [x, y] as const);

describe('portal: what a person sees is true at every moment (local runtime)', () => {
  const web = useBrowserServer();

  it('from the welcome page to the end of the trial: machines, live state, notebook way back, confirmations', { timeout: 300_000 }, async () => {
    // The portal at its PUBLIC_URL (localhost), where the notebook's way back leads.
    const { server, browser } = web;
    const portal = `http://localhost:${new URL(server.url).port}`;
    const { context, page, errors } = await newContext(browser, portal);

    // 7. A visitor at / reads what the free trial is and is led to sign-up, not to log in.
    await page.goto('/');
    await page.getByRole('heading', { name: /free for 24 hours/ }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
    await captureAtWidths(page, 'truth-01-welcome');
    await page.getByRole('link', { name: 'Start your free trial' }).click();
    await page.waitForURL(/\/signup$/);

    // 1. The dashboard offers this computer, named as local mode, with what it really has; no GPU machine it lacks.
    await signUpInBrowser(page, 'truth@example.com');
    await expect(page.getByTestId('local-mode').textContent()).resolves.toMatch(/^Local mode\./);
    const radios = page.getByRole('radio');
    await expect(radios.count()).resolves.toBe(1);
    const here = page.getByRole('radio', { name: /^This computer \(local mode\)/ });
    await expect(here.isChecked()).resolves.toBe(true);
    await expect(page.locator('.profile-machine').textContent()).resolves.toMatch(/\d+ CPUs?, [\d.]+ GB memory/);
    await expect(page.getByText(/POWER8|x86 \+ NVIDIA/).count()).resolves.toBe(0);
    await captureAtWidths(page, 'truth-02-dashboard-local-mode');

    // A second tab keeps the dashboard open while the session starts: its row follows the session's stream.
    const watcher = await context.newPage();
    let listLoads = 0;
    watcher.on('request', (r) => void (new URL(r.url()).pathname === '/api/sessions' && r.method() === 'GET' && listLoads++));

    await page.getByRole('button', { name: 'Launch' }).click();
    await page.waitForURL(/\/sessions\/[0-9a-f-]{36}$/);
    const sessionId = page.url().split('/').pop()!;
    await watcher.goto('/');
    const row = watcher.getByRole('row', { name: new RegExp(`Session ${sessionId.slice(0, 8)}`) });
    await row.waitFor();
    const loadsBeforeReady = listLoads;

    await page.getByRole('link', { name: 'Open notebook' }).waitFor({ timeout: 90_000 });
    // 2. The moment the session page says Ready, so does the dashboard's row, from the same stream (not a later reload of the list).
    await row.getByText('Ready').waitFor({ timeout: 5_000 });
    expect(listLoads).toBe(loadsBeforeReady);
    // 7. Machines by name on the session page and in the list.
    await expect(page.locator('.facts').textContent()).resolves.toContain('This computer (local mode)');
    await expect(row.textContent()).resolves.toContain('This computer (local mode)');
    await expect(page.textContent('main')).resolves.not.toMatch(/\bcpu\b|power8-gpu/);
    await captureAtWidths(page, 'truth-03-session-ready');

    // 5. Launch while it runs is disabled, with the reason in words.
    const launch = watcher.getByRole('button', { name: 'Launch' });
    await expect(launch.isDisabled()).resolves.toBe(true);
    const why = await watcher.locator(`#${await launch.getAttribute('aria-describedby')}`).textContent();
    expect(why).toMatch(/already have a session running or starting, and your trial allows 1 at a time/);
    await captureAtWidths(watcher, 'truth-04-launch-disabled');

    // 3. The notebook opens in a new tab, with a visible way back to this session page and no Jupyter "Logout".
    const [jupyter] = await Promise.all([context.waitForEvent('page'), page.getByRole('link', { name: 'Open notebook' }).click()]);
    await jupyter.waitForFunction(() => document.querySelector('#notebook_list') !== null, undefined, { timeout: 60_000 });
    const back = jupyter.getByRole('link', { name: 'Trialhub session' });
    await back.waitFor();
    expect(await back.getAttribute('href')).toBe(`${portal}/sessions/${sessionId}`);
    await expect(jupyter.getByRole('button', { name: /log ?out/i }).isVisible()).resolves.toBe(false);
    await expect(jupyter.locator('#logout').isVisible()).resolves.toBe(false);
    await screenshot(jupyter, 'truth-05-jupyter-way-back-1280');
    // Jupyter's own page is not ours to fix; the link we add must pass.
    const problems = await accessibilityProblems(jupyter, 'truth-05-jupyter-way-back-1280');
    expect(problems.filter((p) => p.includes('trialhub-back'))).toEqual([]);
    await jupyter.setViewportSize({ width: 390, height: 860 });
    await expect(back.isVisible()).resolves.toBe(true);
    await screenshot(jupyter, 'truth-05-jupyter-way-back-390');
    expect((await accessibilityProblems(jupyter, 'truth-05-jupyter-way-back-390')).filter((p) => p.includes('trialhub-back'))).toEqual([]);
    await back.click();
    await jupyter.waitForURL(new RegExp(`/sessions/${sessionId}$`));
    await jupyter.getByRole('heading', { name: /Notebook session/ }).waitFor();
    await jupyter.close();

    // A run trained in the workspace's results/ (as the notebook does), for the stop to save.
    const trial = await page.evaluate(() => fetch('/api/trial').then((r) => r.json()));
    const trained = spawnSync(process.execPath, [join(__dirname, '../../dist/apps/trainer/src/cli.js'), '--out', join(server.dataDir, 'workspaces', trial.id, 'results', 'truth-run'), '--bottlenecks', join(poolHousesDataset(), 'bottlenecks'), '--steps', '30'], { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME } });
    expect(trained.status, trained.stderr).toBe(0);

    // 4. Stop asks first and says what is saved; the backdrop covers the header too.
    await page.getByRole('button', { name: 'Stop' }).click();
    const confirmStop = page.getByRole('dialog', { name: 'Stop this session?' });
    await expect(confirmStop.textContent()).resolves.toMatch(/results\/ are saved as results when the session stops/);
    await expect(topmostAt(page, 5, 5)).resolves.toBe('backdrop');
    await captureAtWidths(page, 'truth-06-stop-asks-first');
    await page.keyboard.press('Escape');
    await expect(confirmStop.count()).resolves.toBe(0);
    await expect(page.getByText('Your notebook is ready.').isVisible()).resolves.toBe(true);
    await page.getByRole('button', { name: 'Stop' }).click();
    await confirmStop.getByRole('button', { name: 'Stop session' }).click();
    await page.getByRole('button', { name: 'Resume' }).waitFor({ timeout: 90_000 });
    await row.getByText('Stopped').waitFor({ timeout: 5_000 });
    await expect(watcher.getByRole('button', { name: 'Launch' }).isEnabled()).resolves.toBe(true);

    // 7. The result the stop saved: no sideways scroll at 390 px (captureAtWidths checks it).
    await page.getByRole('link', { name: 'See results' }).click();
    await page.getByRole('link', { name: /truth-run|saved when the session stopped/ }).first().click();
    await page.waitForURL(/\/results\/[0-9a-f-]{36}$/);
    await page.getByRole('button', { name: 'Share' }).waitFor();
    await captureAtWidths(page, 'truth-07-result');

    // 4. Revoke asks first; afterwards focus is somewhere sensible and Escape still closes the dialog.
    await page.getByRole('button', { name: 'Share' }).click();
    const share = page.getByRole('dialog', { name: 'Share this result' });
    await share.getByRole('button', { name: 'Create link' }).click();
    await share.getByLabel('Your new link').waitFor();
    await share.getByRole('button', { name: /Revoke the link/ }).click();
    await share.getByRole('group', { name: 'Revoke this link?' }).waitFor();
    await captureAtWidths(page, 'truth-08-revoke-asks-first');
    await share.getByRole('button', { name: 'Revoke link' }).click();
    await share.getByTestId('no-shares').waitFor();
    await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'no-shares');
    await page.keyboard.press('Escape');
    await expect(share.count()).resolves.toBe(0);

    // 2. End trial: the dashboard and the session page agree at once, and offer nothing the server would refuse.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click();
    await page.getByRole('button', { name: 'End trial' }).click();
    await expect(topmostAt(page, 5, 5)).resolves.toBe('backdrop');
    await page.getByRole('dialog', { name: 'End your trial now?' }).getByRole('button', { name: 'End trial' }).click();
    await page.getByRole('heading', { name: 'Your trial has ended' }).waitFor();
    await expect(page.getByRole('row', { name: new RegExp(`Session ${sessionId.slice(0, 8)}`) }).textContent()).resolves.not.toMatch(/Ready|Starting/);
    await captureAtWidths(page, 'truth-09-trial-ended-dashboard');
    await page.getByRole('link', { name: `Session ${sessionId.slice(0, 8)}` }).click();
    await page.getByText(/Your trial has ended, so this session cannot be resumed/).waitFor();
    await expect(page.getByRole('button', { name: 'Resume' }).count()).resolves.toBe(0);
    await expect(page.textContent('main')).resolves.not.toMatch(/kept until the trial ends|Trial ends/i);
    await captureAtWidths(page, 'truth-10-trial-ended-session');

    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('portal: machines on Kubernetes are the nodes the cluster reports (fake cluster)', () => {
  let cluster: Awaited<ReturnType<typeof startFakeCluster>>;

  beforeAll(async () => {
    cluster = await startFakeCluster({ nodes: [
      { name: 'power8-a', labels: { 'kubernetes.io/arch': 'ppc64le', 'nvidia.com/gpu.present': 'true' }, gpus: 2, cpu: '160', memory: '512Gi', taints: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }] },
      { name: 'cpu-a', labels: { 'kubernetes.io/arch': 'amd64' }, gpus: 0, cpu: '8', memory: '32Gi' },
    ] });
  });
  // Registered after the cluster's hooks: started after it, stopped before it closes.
  afterAll(() => cluster?.fake.close());
  const web = useBrowserServer(() => cluster.env);

  it('offers POWER8 with its node and free GPUs, and no x86 GPU machine the cluster lacks; no local-mode note', async () => {
    const { context, page, errors } = await newContext(web.browser, web.server.url);
    await signUpInBrowser(page, 'cluster-user@example.com');
    const power = page.getByRole('radio', { name: /^POWER8 \+ NVIDIA GPU/ });
    // The default machine is chosen just after the offer first renders: wait for it rather than read it once.
    await expect.poll(() => power.isChecked(), { timeout: 15_000 }).toBe(true);
    await expect.poll(() => page.locator('label.profile', { has: power }).textContent(), { timeout: 15_000 }).toMatch(/power8-a \(160 CPUs, 550 GB memory, 2 NVIDIA GPUs, 2 free\).*2 of 4 free/);
    await expect(page.getByRole('radio', { name: /^x86 \+ NVIDIA GPU/ }).count()).resolves.toBe(0);
    await expect(page.getByTestId('local-mode').count()).resolves.toBe(0);
    await captureAtWidths(page, 'truth-11-dashboard-kubernetes');
    expect(errors).toEqual([]);
    await context.close();
  });
});
