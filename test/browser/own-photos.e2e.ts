/**
 * Issue 14's "your own images, no code needed", in a real browser against the real control
 * plane and a real Jupyter on the local runtime: a zip of two class folders dropped on the
 * session page shows its class counts and the file it left out; the example notebook's own-data
 * path (run through the proxy) trains on those photos and saves the result, whose page shows it.
 * Screenshots and axe-core at each step (test-output/screenshots/own-photos-*).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/http';
import { cellSource, runExampleNotebook } from '../support/notebook-run';
import { startTestServer, TestServer } from '../support/server';
import { killSessionProcesses } from '../support/session-processes';
import { poolHousesDataset } from '../support/shared-dataset';
import { classFolderMembers, zipFile } from '../support/zip-file';
import { buildPortalIfStale, capture, captureAtWidths, launchBrowser, newContext, signUpInBrowser } from './support/browser';

const EMAIL = 'grace@example.com';
const PASSWORD = 'correct-horse-battery';

describe('your own photos in the portal: upload a zip of class folders, train on it in the notebook, see the result', () => {
  let browser: Browser;
  let server: TestServer;
  const dir = mkdtempSync(join(tmpdir(), 'own-photos-browser-'));

  beforeAll(async () => {
    buildPortalIfStale();
    server = await startTestServer({ SESSION_IDLE_TIMEOUT: '1h' });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    const dataDir = server?.dataDir;
    await server?.stop();
    if (dataDir) killSessionProcesses(dataDir);
    rmSync(dir, { recursive: true, force: true });
  });

  it('the counts and the refused file show, the notebook trains on the photos, and the result page shows the run', { timeout: 900_000 }, async () => {
    const { page, errors } = await newContext(browser, server.url);
    await signUpInBrowser(page, EMAIL, PASSWORD);
    await page.getByRole('radio', { name: /^This computer \(local mode\)/ }).check();
    await page.getByRole('button', { name: 'Launch' }).click();
    await page.waitForURL(/\/sessions\/[0-9a-f-]{36}$/);
    const sessionId = page.url().split('/').pop()!;
    await page.getByRole('link', { name: 'Open notebook' }).waitFor({ timeout: 120_000 });

    // 1. The session page explains the layout and takes a .zip: 7 photos of each class (the seed's), and a note that is no photo.
    const section = page.getByRole('region', { name: 'Your own photos' });
    await expect(section.textContent()).resolves.toMatch(/one folder per class, named after it, at least two classes with at least 5 JPEG, PNG or WebP photos/);
    await capture(page, 'own-photos-01-session-page');
    const zipPath = join(dir, 'my-photos.zip');
    writeFileSync(zipPath, zipFile([...classFolderMembers(join(poolHousesDataset(), 'images'), 7), { name: 'my-photos/house_with_pool/notes.txt', data: Buffer.from('which ones have pools') }]));
    await section.getByLabel(/choose a \.zip/).setInputFiles(zipPath);
    const counts = section.getByRole('table', { name: 'Photos per class' });
    await counts.waitFor({ timeout: 60_000 });
    expect(await counts.locator('tbody tr').evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent)))).toEqual([
      ['house_with_pool', '7', '7'],
      ['house_without_pool', '7', '7'],
    ]);
    await expect(section.getByRole('group').or(section.locator('details.refused')).textContent()).resolves.toContain('my-photos/house_with_pool/notes.txt: not an image (JPEG, PNG or WebP expected)');
    await capture(page, 'own-photos-02-uploaded');

    // 2. The example notebook, cell by cell through the proxy as Jupyter's UI runs it: part 3 trains on my-photos/, the last cell saves.
    const owner = new ApiClient(server.url);
    expect((await owner.post('/api/auth/login', { email: EMAIL, password: PASSWORD })).status).toBe(200);
    const { codeCells } = await runExampleNotebook(server.url, owner, sessionId, 'browser-own-photos');
    const printed = (i: number) => JSON.stringify(codeCells[i].outputs);
    const dataCell = codeCells.findIndex((c) => cellSource(c).includes('trainer.ownPhotos(workDir)'));
    expect(printed(dataCell)).toContain('your own photos   house_with_pool: 7, house_without_pool: 7 (part 3 trains on these)');
    const saveOutput = printed(codeCells.length - 1);
    const resultId = /results\/([0-9a-f-]{36})/.exec(saveOutput)?.[1];
    expect(resultId, saveOutput).toBeDefined();
    const saved = (await owner.get(`/api/results/${resultId}`)).body;
    expect(saved.title).toMatch(/^Your photos \(house_with_pool, house_without_pool\), default mode: /);
    expect(saved.runName).toMatch(/^my-photos-classifier-/);
    expect(saved.metrics.classes).toEqual(['house_with_pool', 'house_without_pool']);

    // 3. Its result page, as for the houses: the title, the honest headline, the curves.
    await page.goto(`/results/${resultId}`);
    await page.getByRole('heading', { name: saved.title }).waitFor();
    await expect(page.getByTestId('headline').textContent()).resolves.toMatch(/accuracy \(95 % interval .+\)$/);
    await page.getByRole('img', { name: /Accuracy during training/ }).waitFor();
    await captureAtWidths(page, 'own-photos-03-result');
    expect(errors).toEqual([]);
  });
});
