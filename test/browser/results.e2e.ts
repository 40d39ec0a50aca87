import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionTokens } from '../../apps/control-plane/src/sessions/session-tokens';
import { uploadResults } from '../../apps/trainer/src/upload';
import { uploadApiUrl } from '../support/server';
import { newContext, capture, captureAtWidths, signUpInBrowser } from './support/browser';
import { useBrowserServer } from './support/browser-server';
import { writeColourModel } from '../support/colour-model';
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

/** Long names as people give them: class folders of one unbroken word, a deep file path. */
const LONG_CLASSES: Record<string, string> = {
  house_with_pool: 'detached_family_house_with_an_in_ground_swimming_pool_in_the_back_garden',
  house_without_pool: 'detached_family_house_without_any_swimming_pool_anywhere_on_the_property',
};
const LONG_FILE = 'exports/confusion-matrix-and-misclassified-examples-of-the-held-out-test-split-for-the-team-wiki.csv';

/** The trainer's run with its classes renamed (labels, metrics, confusion matrix, before/after, misclassified, the test photos' folders) and a long-named file. */
function withLongNames(runDir: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'trialhub-portal-long-'));
  cpSync(runDir, dir, { recursive: true });
  const rename = (text: string) => Object.entries(LONG_CLASSES).reduce((t, [from, to]) => t.replace(new RegExp(`\\b${from}\\b`, 'g'), to), text);
  for (const file of ['labels.txt', 'metrics.json', 'confusion.json', 'before-after.json', 'misclassified.json', 'predictions.json', 'history.json', 'model/trainer.json']) {
    if (existsSync(join(dir, file))) writeFileSync(join(dir, file), rename(readFileSync(join(dir, file), 'utf8')));
  }
  for (const [from, to] of Object.entries(LONG_CLASSES)) if (existsSync(join(dir, 'test_images', from))) renameSync(join(dir, 'test_images', from), join(dir, 'test_images', to));
  mkdirSync(join(dir, 'exports'));
  writeFileSync(join(dir, LONG_FILE), 'actual,predicted,count\n');
  return dir;
}

/** How wide the page is at a phone's width, and the elements that stick out (named, for the failure message). */
async function sidewaysOverflow(page: Page): Promise<{ scrollWidth: number; widest: string }> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const scrolls = (el: Element) => /auto|scroll|hidden/.test(getComputedStyle(el).overflowX);
    const inScrollBox = (el: Element) => { for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) if (scrolls(p)) return true; return false; };
    // Text past the right edge (an unbroken word overflows its box, which stays narrow), outside scroll boxes: what sticks out inside one scrolls there, not the page.
    const out: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node && out.length < 4; node = walker.nextNode()) {
      const range = document.createRange();
      range.selectNodeContents(node);
      const right = range.getBoundingClientRect().right;
      const parent = node.parentElement!;
      if (right > width + 0.5 && !scrolls(parent) && !inScrollBox(parent)) out.push(`${parent.tagName.toLowerCase()}.${parent.className} "${(node.textContent ?? '').trim().slice(0, 50)}" (${Math.round(right)} px)`);
    }
    for (const el of Array.from(document.querySelectorAll('body *'))) {
      if (out.length < 6 && el.getBoundingClientRect().right > width + 0.5 && !inScrollBox(el) && !Array.from(el.children).some((c) => c.getBoundingClientRect().right > width + 0.5)) out.push(`${el.tagName.toLowerCase()}.${(el as HTMLElement).className} (${Math.round(el.getBoundingClientRect().right)} px)`);
    }
    return { scrollWidth: document.documentElement.scrollWidth, widest: out.join('; ') };
  });
}

describe('portal: results, charts and sharing', () => {
  let runDir: string;
  beforeAll(() => {
    runDir = trainOnce();
  });
  afterAll(() => {
    if (runDir) rmSync(runDir, { recursive: true, force: true });
  });
  const web = useBrowserServer();

  /** A ready session for the user (its lease held, so the reconciler leaves it alone) and its upload token. */
  async function readySessionFor(userId: string, trialId: string): Promise<string> {
    const db = new Client({ connectionString: web.server.databaseUrl });
    await db.connect();
    try {
      const [row] = (
        await db.query(
          `INSERT INTO sessions (user_id, trial_id, profile_name, state, generation, mode, queued_at, started_at, ready_at, claimed_by, claimed_until)
           VALUES ($1, $2, 'cpu', 'ready', 1, 'jupyter', now(), now(), now(), 'browser-test', now() + interval '1 hour') RETURNING id`,
          [userId, trialId],
        )
      ).rows;
      return web.server.app.get(SessionTokens).uploadToken(row.id, 1);
    } finally {
      await db.end();
    }
  }

  it('shows a saved result with its metrics and charts, shares it with a logged-out browser, and revokes the link', { timeout: 120_000 }, async () => {
    const owner = await newContext(web.browser, web.server.url);
    const page = owner.page;
    await signUpInBrowser(page, 'ada@example.com');
    await page.getByRole('link', { name: 'Results' }).click();
    await page.getByRole('heading', { name: 'No saved results yet' }).waitFor();

    const { user } = await page.evaluate(() => fetch('/api/auth/me').then((r) => r.json()));
    const trial = await page.evaluate(() => fetch('/api/trial').then((r) => r.json()));
    const token = await readySessionFor(user.id, trial.id);
    const uploaded = await uploadResults({ dir: runDir, uploadUrl: uploadApiUrl(web.server), token, title: 'Pool houses, 200 steps' });
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
    expect(shareUrl).toMatch(new RegExp(`^${web.server.url}/share/[\\w-]{20,}$`));
    await expect(dialog.getByText(/Works until/).isVisible()).resolves.toBe(true);
    await capture(page, 'results-2-share-dialog');

    // A fresh browser, logged out, sees the shared result.
    const stranger = await newContext(web.browser, web.server.url);
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

  it('fits a 390 px phone with a real result: long class and file names, the model snippet, the confusion matrix, the before/after table; its share page too, with the misclassified examples', { timeout: 120_000 }, async () => {
    const long = withLongNames(runDir);
    await writeColourModel(join(long, 'full-model')); // the full-model export: the try-it card and the program snippet
    const owner = await newContext(web.browser, web.server.url);
    const page = owner.page;
    try {
      await signUpInBrowser(page, 'phone@example.com');
      const { user } = await page.evaluate(() => fetch('/api/auth/me').then((r) => r.json()));
      const trial = await page.evaluate(() => fetch('/api/trial').then((r) => r.json()));
      const token = await readySessionFor(user.id, trial.id);
      const { resultId } = await uploadResults({ dir: long, uploadUrl: uploadApiUrl(web.server), token, title: 'Detached family houses with and without an in-ground swimming pool' });

      await page.goto(`/results/${resultId}`);
      await page.locator('table.before-after').waitFor();
      await page.getByRole('img', { name: /^Confusion matrix/ }).waitFor();
      await page.getByRole('img', { name: /Accuracy during training/ }).waitFor();
      await page.getByRole('button', { name: /^Show all \d+ test images/ }).click();
      await page.getByText('Use this model in your own program').click();
      await page.locator('pre.snippet').waitFor();
      const body = await page.textContent('main');
      for (const name of [...Object.values(LONG_CLASSES), LONG_FILE]) expect(body).toContain(name);
      await page.setViewportSize({ width: 390, height: 844 });
      const phone = await sidewaysOverflow(page);
      expect(phone.scrollWidth, `widest: ${phone.widest}`).toBeLessThanOrEqual(390);
      await captureAtWidths(page, 'results-5-long-names');

      const shareUrl = (await page.evaluate((id) => fetch(`/api/results/${id}/shares`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': document.cookie.match(/trialhub_csrf=([^;]+)/)?.[1] ?? '' }, body: '{}' }).then((r) => r.json()), resultId)).url;
      expect(shareUrl).toMatch(/\/share\//);
      const reader = await newContext(web.browser, web.server.url);
      try {
        await reader.page.goto(shareUrl);
        await reader.page.locator('[data-headline]').waitFor();
        for (const d of await reader.page.locator('details').all()) await d.evaluate((el) => ((el as HTMLDetailsElement).open = true));
        await expect(reader.page.textContent('body')).resolves.toContain(LONG_CLASSES.house_without_pool);
        await expect(reader.page.locator('ul.wrong li').count()).resolves.toBeGreaterThan(0);
        await reader.page.setViewportSize({ width: 390, height: 844 });
        const shared = await sidewaysOverflow(reader.page);
        expect(shared.scrollWidth, `widest: ${shared.widest}`).toBeLessThanOrEqual(390);
        await captureAtWidths(reader.page, 'results-6-shared-long-names');
        expect(reader.errors).toEqual([]);
      } finally {
        await reader.context.close();
      }
      expect(owner.errors).toEqual([]);
    } finally {
      await owner.context.close();
      rmSync(long, { recursive: true, force: true });
    }
  });
});
