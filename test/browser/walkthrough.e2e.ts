/**
 * Issue 7's walkthrough, as one user in one browser against the real control plane, a real
 * PostgreSQL and a real Jupyter on the local runtime: sign up → launch → ready → open the
 * notebook through the proxy on the session's own origin (a new tab, via the portal's one-time hand-off) → open the example notebook and run it (Cell → Run All, its last
 * cell saves the run) → stop in the portal (the stop-time save step saves the other runs, not
 * the saved one again) → results → result page with charts → share → the link in a fresh,
 * logged-out browser → revoke → the link is gone. A screenshot per step in test-output/screenshots.
 */
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TestServer } from '../support/server';
import { killSessionProcesses } from '../support/session-processes';
import { writeTinyModel } from '../trainer-fixtures/synthetic';
import { buildPortalIfStale, launchBrowser, newContext, capture, screenshot, signUpInBrowser } from './support/browser';
import { poolHousesDataset } from '../support/shared-dataset';

/** The seed's data set, shared next to the repository (DESIGN.md): the workspace is seeded with it. */
const EXAMPLE_DATA = poolHousesDataset();
const NOTEBOOK = 'Classifying-House-And-Pool-Images.ipynb';

interface CellState {
  index: number;
  prompt: number | string | null;
  errors: string[];
  text: string;
}

/** The example notebook's code cells as Jupyter's own front end holds them (prompt numbers, outputs). */
function codeCells(page: Page): Promise<CellState[]> {
  return page.evaluate(() =>
    (window as any).Jupyter.notebook
      .get_cells()
      .map((cell: any, index: number) => ({ cell, index }))
      .filter(({ cell }: any) => cell.cell_type === 'code')
      .map(({ cell, index }: any) => {
        const outputs: any[] = cell.output_area.outputs;
        const text = (o: any) => [o.text, o.data?.['text/plain']].flat().filter(Boolean).join('');
        return {
          index,
          prompt: cell.input_prompt_number ?? null,
          errors: outputs.filter((o) => o.output_type === 'error').map((o) => `${o.ename}: ${o.evalue}`),
          text: outputs.map(text).join(''),
        };
      }),
  );
}

describe('portal walkthrough: sign up, train in the notebook, stop, results, share, revoke', () => {
  let browser: Browser;
  let server: TestServer;

  beforeAll(async () => {
    buildPortalIfStale();
    server = await startTestServer({ TRIALHUB_EXAMPLE_DATA: EXAMPLE_DATA });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    const dataDir = server?.dataDir;
    await server?.stop();
    if (dataDir) killSessionProcesses(dataDir);
  });

  it('one user, one browser: from sign-up to a revoked share link of the result trained in the session', { timeout: 240_000 }, async () => {
    const { context, page, errors } = await newContext(browser, server.url);

    // 1. Sign up and launch a CPU session; the progress streams in until it is ready.
    await signUpInBrowser(page, 'ada@example.com');
    await page.getByRole('radio', { name: /^This computer \(local mode\)/ }).check();
    await page.getByRole('button', { name: 'Launch' }).click();
    await page.waitForURL(/\/sessions\/[0-9a-f-]{36}$/);
    const sessionUrl = page.url();
    const sessionId = sessionUrl.split('/').pop()!;
    await capture(page, 'walkthrough-01-launching');
    const open = page.getByRole('link', { name: 'Open notebook' });
    await open.waitFor({ timeout: 90_000 });
    expect(await page.getByRole('log').textContent()).toBeTruthy();
    expect(await page.locator('.steps .step-done').count()).toBe(4);
    await expect(page.getByText('Your notebook is ready.').isVisible()).resolves.toBe(true);
    await capture(page, 'walkthrough-02-ready');

    // 2. Jupyter, through the control plane's proxy, on the session's own origin in a new tab (a one-time hand-off, no token prompt).
    const [jupyter] = await Promise.all([context.waitForEvent('page'), open.click()]);
    await jupyter.waitForURL(new RegExp(`^http://${sessionId}\\.localhost:${new URL(server.url).port}/notebook/${sessionId}/`));
    await jupyter.waitForFunction(() => !document.getElementById('root') && document.querySelector('#notebook_list') !== null, undefined, { timeout: 60_000 });
    await expect(jupyter.textContent('body')).resolves.not.toMatch(/password or token/i);
    const notebookLink = jupyter.locator('#notebook_list a.item_link', { hasText: NOTEBOOK });
    await notebookLink.waitFor();
    await screenshot(jupyter, 'walkthrough-03-jupyter');

    // The notebook image ships a pretrained feature model; the local runtime has none, and this
    // machine may be offline: a tiny one stands in for it where the notebook looks first.
    const trial = await page.evaluate(() => fetch('/api/trial').then((r) => r.json()));
    await writeTinyModel(join(server.dataDir, 'workspaces', trial.id, 'models', 'inception_v3'));

    // 3. Open the example notebook (Jupyter opens it in a new tab) and run it all, as a user would.
    const [notebook] = await Promise.all([context.waitForEvent('page'), notebookLink.click()]);
    await notebook.waitForFunction(() => (window as any).Jupyter?.notebook?.kernel?.is_connected?.() === true, undefined, { timeout: 90_000 });
    expect(await notebook.evaluate(() => (window as any).Jupyter.notebook.kernel.name)).toBe('tslab');
    await notebook.locator('#celllink').click();
    await notebook.locator('#run_all_cells').click();
    const finished = await notebook
      .waitForFunction(
        () => {
          const cells = (window as any).Jupyter.notebook.get_cells().filter((c: any) => c.cell_type === 'code');
          if (cells.some((c: any) => c.output_area.outputs.some((o: any) => o.output_type === 'error'))) return 'error';
          return cells.every((c: any) => typeof c.input_prompt_number === 'number') ? 'done' : false;
        },
        undefined,
        { timeout: 150_000, polling: 500 },
      )
      .then((h) => h.jsonValue())
      .catch((error: Error) => `timeout: ${error.message}`);
    const cells = await codeCells(notebook);
    expect(finished, JSON.stringify(cells, null, 1).slice(-6000)).toBe('done');
    expect(cells.flatMap((c) => c.errors)).toEqual([]);
    const all = cells.map((c) => c.text).join('\n');
    expect(all).toContain('feature extractor: the model in');
    // Each run prints its honest headline (N and 95 % interval), never a bare test accuracy.
    expect(all).toMatch(/done in [\d.]+ s: \d+ % accuracy \(95 % interval \d+–\d+ %, /);
    // The last cell saved the image run; its link is the result's page on this control plane.
    const saveCell = cells.at(-1)!;
    const savedLink = /Saved to Trialhub: (\S+)/.exec(saveCell.text)?.[1];
    expect(savedLink, saveCell.text).toMatch(new RegExp(`^http://localhost:${new URL(server.url).port}/results/[0-9a-f-]{36}$`));
    const savedResultId = savedLink!.split('/').pop()!;
    const savedTitle = /^Houses with and without a pool, photos, default mode: \d+ % accuracy \(95 % interval \d+–\d+ %, .+\)$/;
    await notebook.locator(`#notebook-container .cell`).last().scrollIntoViewIfNeeded();
    await screenshot(notebook, 'walkthrough-04-notebook-trained-and-saved');
    await notebook.close();
    await jupyter.close();

    // 4. Stop in the portal: the stop-time save step uploads the runs not saved yet, and skips the saved one.
    await page.goto(sessionUrl);
    await page.getByRole('button', { name: 'Stop' }).click();
    await page.getByRole('dialog', { name: 'Stop this session?' }).getByRole('button', { name: 'Stop session' }).click();
    await page.getByRole('button', { name: 'Resume' }).waitFor({ timeout: 90_000 });
    await page.getByText('This session is stopped.', { exact: false }).waitFor();
    await capture(page, 'walkthrough-05-stopped');

    // 5. Results: the notebook's saved run once, and the two bottleneck runs the stop saved. No duplicate.
    await page.getByRole('link', { name: 'See results' }).click();
    await page.waitForURL(/\/results$/);
    const links = page.getByRole('link', { name: /% accuracy \(95 % interval/ });
    await links.first().waitFor();
    const titles = await links.allTextContents();
    expect(titles.filter((t) => savedTitle.test(t.trim()))).toHaveLength(1);
    expect(titles.filter((t) => /saved when the session stopped$/.test(t.trim()))).toHaveLength(2);
    expect(titles).toHaveLength(3);
    const list = await page.evaluate(() => fetch('/api/results').then((r) => r.json()));
    const results: any[] = Array.isArray(list) ? list : list.items;
    expect(results.map((r) => r.runName).sort()).toEqual([
      expect.stringMatching(/^default-\d{8}-\d{6}$/),
      expect.stringMatching(/^pool-classifier-\d{8}-\d{6}$/),
      expect.stringMatching(/^seed-compatible-\d{8}-\d{6}$/),
    ]);
    expect(results.find((r) => /^pool-classifier-/.test(r.runName)).id).toBe(savedResultId);
    await capture(page, 'walkthrough-06-results');

    // 6. The result the user saved from the notebook: metrics, training curves, confusion matrix.
    await page.getByRole('link', { name: savedTitle }).click();
    await page.waitForURL(new RegExp(`/results/${savedResultId}$`));
    const title = (await page.getByRole('heading', { name: savedTitle }).textContent())!.trim();
    const saved = results.find((r) => r.id === savedResultId);
    const testAccuracy = page.locator('.metric', { has: page.locator('dt', { hasText: /^Test accuracy/ }) }).locator('dd');
    await expect(testAccuracy.textContent()).resolves.toBe(`${(saved.metrics.testAccuracy * 100).toFixed(1)} %`);
    // The headline says what it was measured on (N and an interval), never a bare figure.
    await expect(page.getByTestId('headline').textContent()).resolves.toMatch(/accuracy \(95 % interval .+\)$/);
    const curves = page.getByRole('img', { name: /Accuracy during training/ });
    await curves.waitFor();
    expect(await curves.isVisible()).toBe(true);
    expect(await curves.locator('path[data-series]').count()).toBeGreaterThanOrEqual(1);
    const matrix = page.getByRole('img', { name: /^Confusion matrix/ });
    await matrix.waitFor();
    expect(await matrix.isVisible()).toBe(true);
    // The before/after table shows the test photos, which travel with the run.
    const photos = page.locator('table img');
    await photos.first().waitFor();
    expect(await photos.count()).toBe(4);
    expect(await photos.evaluateAll((imgs) => imgs.every((i) => (i as HTMLImageElement).naturalWidth > 0))).toBe(true);
    await capture(page, 'walkthrough-07-result-charts');

    // 7. Share: create a link in the dialog and copy it.
    await page.getByRole('button', { name: 'Share' }).click();
    const dialog = page.getByRole('dialog', { name: 'Share this result' });
    await dialog.getByTestId('no-shares').waitFor();
    await dialog.getByRole('button', { name: 'Create link' }).click();
    const shareUrl = await dialog.getByLabel('Your new link').inputValue();
    expect(shareUrl).toMatch(new RegExp(`^${server.url}/share/[\\w-]{20,}$`));
    await capture(page, 'walkthrough-08-share-dialog');

    // 8. A fresh browser context, logged out, opens the link and sees the result.
    const stranger = await newContext(browser, server.url);
    const shared = await stranger.page.goto(shareUrl);
    expect(shared?.status()).toBe(200);
    await expect(stranger.page.textContent('body')).resolves.toContain(title);
    // The notebook the run was trained in is part of the result, rendered as HTML.
    await stranger.page.locator('details.notebook summary', { hasText: 'Notebook: notebook.ipynb' }).click();
    expect(await stranger.context.cookies()).not.toContainEqual(expect.objectContaining({ name: 'trialhub_session' }));
    await capture(stranger.page, 'walkthrough-09-shared-logged-out');

    // 9. Revoke: the link leaves the dialog, and the stranger's next visit gets a clear "does not work" page.
    await dialog.getByRole('button', { name: /Revoke the link/ }).click();
    await dialog.getByRole('button', { name: 'Revoke link' }).click();
    await dialog.getByTestId('no-shares').waitFor();
    await capture(page, 'walkthrough-10-revoked-in-dialog');
    const gone = await stranger.page.goto(shareUrl);
    expect(gone?.status()).toBe(404);
    await stranger.page.getByRole('heading', { name: 'This link does not work' }).waitFor();
    await expect(stranger.page.textContent('body')).resolves.toMatch(/revoked or has expired/);
    await expect(stranger.page.textContent('body')).resolves.not.toContain(title);
    await capture(stranger.page, 'walkthrough-11-link-gone');

    expect([...errors, ...stranger.errors]).toEqual([]);
    await stranger.context.close();
    await context.close();
  });
});
