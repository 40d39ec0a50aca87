import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uploadResults } from '../../apps/trainer/src/upload';
import { Owner, ownerWithSession, writeTrainerOutput } from '../e2e/results-support';
import { photo, writeColourModel } from '../support/colour-model';
import { startTestServer, TestServer, uploadApiUrl } from '../support/server';
import { buildPortalIfStale, capture, launchBrowser, newContext } from './support/browser';

/** Drops `bytes` as a file on the element, as a person dragging a photo from their desktop does. */
async function dropFile(page: Page, selector: string, bytes: Buffer, name: string, type: string): Promise<void> {
  const dataTransfer = await page.evaluateHandle(
    ({ data, name, type }) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(data)], name, { type }));
      return dt;
    },
    { data: [...bytes], name, type },
  );
  await page.locator(selector).dispatchEvent('dragenter', { dataTransfer });
  await page.locator(selector).dispatchEvent('drop', { dataTransfer });
}

describe('the share page, logged out', () => {
  let browser: Browser;
  let server: TestServer;
  let runDir: string;
  let owner: Owner;
  let shareUrl: string;
  let resultId: string;

  beforeAll(async () => {
    buildPortalIfStale();
    server = await startTestServer();
    runDir = mkdtempSync(join(tmpdir(), 'trialhub-share-page-'));
    await writeTrainerOutput(runDir);
    await writeColourModel(join(runDir, 'full-model'));
    owner = await ownerWithSession(server, 'share-page@example.com');
    ({ resultId } = await uploadResults({ dir: runDir, uploadUrl: uploadApiUrl(server), token: owner.token, runName: 'colours', title: 'Red or blue photos' }));
    shareUrl = (await owner.api.post(`/api/results/${resultId}/shares`, {})).body.url;
    browser = await launchBrowser();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (runDir) rmSync(runDir, { recursive: true, force: true });
  });

  it('a dropped photo gets its class and confidence; the headline has its N; dates are local; preview tags and image exist', { timeout: 120_000 }, async () => {
    const { context, page, errors } = await newContext(browser, server.url);
    try {
      expect((await page.goto(shareUrl))?.status()).toBe(200);
      await expect(page.locator('[data-headline]').textContent()).resolves.toBe('85 % accuracy (95 % interval 58 %–95.7 %, 13 test images)');
      // The page script ran (from its own file: the CSP allows no inline script) and wrote the dates in the reader's time.
      const saved = page.locator('time').first();
      await expect.poll(() => saved.textContent()).not.toMatch(/UTC/);
      expect(await saved.getAttribute('title')).toMatch(/^\d{4}-\d\d-\d\dT/);
      // The notebook is there, collapsed.
      expect(await page.locator('details.notebook').first().evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);

      await dropFile(page, '.drop', await photo({ r: 220, g: 30, b: 30 }), 'red-house.png', 'image/png');
      await page.locator('[data-prediction="red"]').waitFor();
      expect(await page.locator('#try-result').textContent()).toMatch(/red.*\d+\.\d % sure/s);
      await capture(page, 'share-1-dropped-photo');

      // Choosing a file works too.
      await page.locator('#try-file').setInputFiles({ name: 'blue.jpg', mimeType: 'image/jpeg', buffer: await photo({ r: 20, g: 30, b: 230 }, 'jpeg') });
      await page.locator('[data-prediction="blue"]').waitFor();

      // Link previews: the tags, and the picture they name.
      const og = async (property: string) => page.locator(`meta[property="${property}"]`).getAttribute('content');
      expect(await og('og:title')).toBe('Red or blue photos');
      expect(await og('og:description')).toMatch(/^85 % accuracy, N=13/);
      expect(await page.locator('meta[name="twitter:card"]').getAttribute('content')).toBe('summary_large_image');
      const image = await page.request.get((await og('og:image'))!);
      expect(image.status()).toBe(200);
      expect(await sharp(await image.body()).metadata()).toMatchObject({ format: 'png', width: 1200, height: 630 });
      expect(await page.getByRole('link', { name: 'Train your own in a free 24-hour trial' }).first().getAttribute('href')).toBe('/signup');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("the owner tries the model on the result page, and sees how to use it in a program", { timeout: 60_000 }, async () => {
    const { context, page, errors } = await newContext(browser, server.url);
    try {
      // The owner's log-in, carried over from the API client that signed up.
      const cookies = (owner.api as unknown as { cookies: Map<string, string> }).cookies;
      await context.addCookies([...cookies].map(([name, value]) => ({ name, value, url: server.url })));
      await page.goto(`/results/${resultId}`);
      await page.getByRole('heading', { name: 'Try it on your own photo' }).waitFor();
      await dropFile(page, '.try-it .drop', await photo({ r: 10, g: 10, b: 200 }), 'blue.png', 'image/png');
      await page.locator('[data-prediction="blue"]').waitFor();
      await page.getByText('Use this model in your own program').click();
      expect(await page.locator('pre.snippet').textContent()).toContain("tf.loadLayersModel('full-model/model.json')");
      await capture(page, 'share-0-owner-try-it');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('fits a 390 px wide phone without sideways scrolling, and a dead link shows the same look', { timeout: 60_000 }, async () => {
    const context = await browser.newContext({ baseURL: server.url, viewport: { width: 390, height: 844 } });
    try {
      const page = await context.newPage();
      await page.goto(shareUrl);
      await page.locator('[data-headline]').waitFor();
      for (const d of await page.locator('details').all()) await d.evaluate((el) => ((el as HTMLDetailsElement).open = true));
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await capture(page, 'share-2-phone');
      const dead = await page.goto(`${server.url}/share/${'x'.repeat(43)}`);
      expect(dead?.status()).toBe(404);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('This link does not work');
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await capture(page, 'share-3-dead-link');
    } finally {
      await context.close();
    }
  });
});
