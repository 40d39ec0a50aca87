import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionTokens } from '../../apps/control-plane/src/sessions/session-tokens';
import { uploadResults } from '../../apps/trainer/src/upload';
import { startTestServer, TestServer, uploadApiUrl } from '../support/server';
import { buildPortalIfStale, launchBrowser, newContext, capture, signUpInBrowser } from './support/browser';
import { poolHousesDataset } from '../support/shared-dataset';

const ROOT = resolve(__dirname, '../..');
const DATASET = poolHousesDataset();

/** A real trainer run on the seed's bottlenecks: the files a notebook session would save. */
function trainOnce(): string {
  const out = mkdtempSync(join(tmpdir(), 'trialhub-portal-run-'));
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts/run-ts.mjs'), 'apps/trainer/src/cli.ts', '--out', out, '--bottlenecks', join(DATASET, 'bottlenecks'), '--steps', '200'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`the trainer failed (${r.status}):\n${r.stderr}`);
  // The example's test photos, saved next to the outputs the way the notebook keeps them.
  cpSync(join(DATASET, 'test_images'), join(out, 'test_images'), { recursive: true });
  return out;
}

describe('portal: results, charts and sharing', () => {
  let browser: Browser;
  let server: TestServer;
  let runDir: string;

  beforeAll(async () => {
    buildPortalIfStale();
    runDir = trainOnce();
    server = await startTestServer();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (runDir) rmSync(runDir, { recursive: true, force: true });
  });

  /** A ready session for the user (its lease held, so the reconciler leaves it alone) and its upload token. */
  async function readySessionFor(userId: string, trialId: string): Promise<string> {
    const db = new Client({ connectionString: server.databaseUrl });
    await db.connect();
    try {
      const [row] = (
        await db.query(
          `INSERT INTO sessions (user_id, trial_id, profile_name, state, generation, mode, queued_at, started_at, ready_at, claimed_by, claimed_until)
           VALUES ($1, $2, 'cpu', 'ready', 1, 'jupyter', now(), now(), now(), 'browser-test', now() + interval '1 hour') RETURNING id`,
          [userId, trialId],
        )
      ).rows;
      return server.app.get(SessionTokens).uploadToken(row.id, 1);
    } finally {
      await db.end();
    }
  }

  it('shows a saved result with its metrics and charts, shares it with a logged-out browser, and revokes the link', { timeout: 120_000 }, async () => {
    const owner = await newContext(browser, server.url);
    const page = owner.page;
    await signUpInBrowser(page, 'ada@example.com');
    await page.getByRole('link', { name: 'Results' }).click();
    await page.getByRole('heading', { name: 'No saved results yet' }).waitFor();

    const { user } = await page.evaluate(() => fetch('/api/auth/me').then((r) => r.json()));
    const trial = await page.evaluate(() => fetch('/api/trial').then((r) => r.json()));
    const token = await readySessionFor(user.id, trial.id);
    const uploaded = await uploadResults({ dir: runDir, uploadUrl: uploadApiUrl(server), token, title: 'Pool houses, 200 steps' });
    expect(uploaded.resultId).toBeTruthy();

    await page.reload();
    await page.getByRole('link', { name: 'Pool houses, 200 steps' }).click();
    await page.getByRole('heading', { name: 'Pool houses, 200 steps' }).waitFor();
    const metrics = JSON.parse(readFileSync(join(runDir, 'metrics.json'), 'utf8'));
    // The headline says what it was measured on (the trainer's own headline, else the test set with its N and interval).
    const headline = await page.getByTestId('headline').textContent();
    if (metrics.headline) expect(headline).toBe(metrics.headline.text);
    else expect(headline).toMatch(new RegExp(`accuracy \\(95 % interval .+, ${metrics.testCount} test images\\)$`));
    const testAccuracy = page.locator('.metric', { has: page.locator('dt', { hasText: /^Test accuracy/ }) }).locator('dd');
    await expect(testAccuracy.textContent()).resolves.toBe(`${(metrics.testAccuracy * 100).toFixed(1)} %`);

    const curves = page.getByRole('img', { name: /Accuracy during training/ });
    await curves.waitFor();
    await expect(curves.locator('path[data-series]').count()).resolves.toBe(2);
    await expect(page.getByRole('img', { name: /Cross-entropy loss/ }).isVisible()).resolves.toBe(true);
    const matrix = page.getByRole('img', { name: /^Confusion matrix: \d+ of \d+ test images/ });
    await matrix.waitFor();
    const counts = (await matrix.locator('[data-cell] text').allTextContents()).map(Number);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(metrics.testCount);
    await page.locator('table.before-after').waitFor();
    await capture(page, 'results-1-result-page');
    const beforeAfter = JSON.parse(readFileSync(join(runDir, 'before-after.json'), 'utf8'));
    await page.getByRole('button', { name: `Show all ${beforeAfter.length} test images` }).click();
    await expect(page.locator('table.before-after tbody tr').count()).resolves.toBe(beforeAfter.length);
    const zip = await page.request.get(`/api/results/${uploaded.resultId}/download`);
    expect(zip.status()).toBe(200);
    expect((await zip.body()).subarray(0, 2).toString()).toBe('PK');

    // Share: a link with an expiry, copied from the dialog.
    await page.getByRole('button', { name: 'Share' }).click();
    const dialog = page.getByRole('dialog', { name: 'Share this result' });
    await dialog.getByTestId('no-shares').waitFor();
    await dialog.getByLabel('Link expires after').selectOption('7');
    await dialog.getByRole('button', { name: 'Create link' }).click();
    const shareUrl = await dialog.getByLabel('Your new link').inputValue();
    expect(shareUrl).toMatch(new RegExp(`^${server.url}/share/[\\w-]{20,}$`));
    await expect(dialog.getByText(/Works until/).isVisible()).resolves.toBe(true);
    await capture(page, 'results-2-share-dialog');

    // A fresh browser, logged out, sees the shared result.
    const stranger = await newContext(browser, server.url);
    const shared = await stranger.page.goto(shareUrl);
    expect(shared?.status()).toBe(200);
    await expect(stranger.page.textContent('body')).resolves.toContain('Pool houses, 200 steps');
    await capture(stranger.page, 'results-3-shared-logged-out');

    // Revoke: the link disappears from the dialog and stops working.
    await dialog.getByRole('button', { name: /Revoke the link/ }).click();
    await dialog.getByRole('button', { name: 'Revoke link' }).click();
    await dialog.getByTestId('no-shares').waitFor();
    const gone = await stranger.page.goto(shareUrl);
    expect([404, 410]).toContain(gone?.status());
    await expect(stranger.page.textContent('body')).resolves.not.toContain('Pool houses, 200 steps');
    await capture(stranger.page, 'results-4-revoked-link');
    expect([...owner.errors, ...stranger.errors]).toEqual([]);
    await stranger.context.close();
    await owner.context.close();
  });
});
