import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { uploadResults } from '../../apps/trainer/src/upload';
import { ApiClient } from '../support/http';
import { startTestServer, TestServer, uploadApiUrl } from '../support/server';
import { METRICS, Owner, ownerWithSession, sql, writeTrainerOutput } from './results-support';

const expectShareHeaders = (headers: Headers) => {
  expect(headers.get('x-robots-tag')).toBe('noindex, nofollow');
  expect(headers.get('referrer-policy')).toBe('no-referrer');
  expect(headers.get('x-frame-options')).toBe('DENY');
};

describe('sharing: a result by link, public and read-only', () => {
  let server: TestServer;
  let runDir: string;
  let owner: Owner;
  let resultId: string;
  const anonymous = () => new ApiClient(server.url);

  beforeAll(async () => {
    runDir = mkdtempSync(join(tmpdir(), 'trialhub-share-run-'));
    await writeTrainerOutput(runDir);
    server = await startTestServer();
    owner = await ownerWithSession(server, 'sharer@example.com');
    ({ resultId } = await uploadResults({ dir: runDir, uploadUrl: uploadApiUrl(server), token: owner.token, runName: 'shared-run', title: 'Pools <i>vs</i> no pools' }));
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(runDir, { recursive: true, force: true });
  });

  it('creates a link with a 256-bit token of which only the hash is stored, and lists links without tokens', async () => {
    const created = await owner.api.post(`/api/results/${resultId}/shares`, { expiresInDays: 7 });
    expect(created.status).toBe(201);
    expect(created.body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(created.body.url).toBe(`${server.config.publicUrl}/share/${created.body.token}`);
    expect(Date.parse(created.body.expiresAt) - Date.now()).toBeGreaterThan(7 * 86400_000 - 60_000);
    const [row] = await sql<{ token_hash: string }>(server, `SELECT token_hash FROM share_links WHERE id = $1`, [created.body.id]);
    expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.token_hash).not.toContain(created.body.token);
    const list = await owner.api.get(`/api/results/${resultId}/shares`);
    expect(list.body).toHaveLength(1);
    expect(list.body[0]).toMatchObject({ id: created.body.id, active: true, viewCount: 0, revokedAt: null });
    expect(JSON.stringify(list.body)).not.toContain(created.body.token);
    expect((await owner.api.get(`/api/results/${resultId}`)).body.shares).toEqual({ active: 1, total: 1 });
    const audit = await sql<{ action: string }>(server, `SELECT action FROM audit_events WHERE action LIKE 'share.%' AND target_id = $1`, [resultId]);
    expect(audit.map((a) => a.action)).toEqual(['share.create']);

    for (const [body, message] of [
      [{ expiresAt: '2001-01-01T00:00:00Z' }, /in the future/],
      [{ expiresAt: 'tomorrow' }, /ISO 8601/],
      [{ expiresInDays: 0 }, /at least 1/],
      [{ expiresInDays: 1, expiresAt: new Date(Date.now() + 86400_000).toISOString() }, /not both/],
    ] as const) {
      const r = await owner.api.post(`/api/results/${resultId}/shares`, body);
      expect(r.status).toBe(400);
      expect(r.body.message).toMatch(message);
    }
  });

  it('shows a self-contained page with metrics, curves, confusion matrix, before/after with images, the notebook and downloads; no script can run', async () => {
    const { token } = (await owner.api.post(`/api/results/${resultId}/shares`, {})).body;
    const page = await anonymous().get(`/share/${token}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expectShareHeaders(page.headers);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    // Script only from our own file, never inline (issue 13's rule).
    expect(csp).toContain("script-src 'self';");
    const html = page.text;
    // This result has no full-model/ (the trainer output stand-in): the page says why try-it is not offered.
    expect(html).toContain('data-try-it-unavailable>Try it is not available for this result: it was saved without its full model (full-model/)');
    expect(html).not.toContain('data-predict-url');
    expect([...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/gi)].map((m) => [m[1].trim(), m[2]])).toEqual([['src="/share/-/share-page.js" defer', '']]);
    const script = await fetch(`${server.url}/share/-/share-page.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await script.text()).toContain("querySelectorAll('time[datetime]')");
    // The honest headline: 11 of 13 right is 85 % with a 95 % Wilson interval of 58–96 %, never without its N.
    expect(html).toContain('<p class="headline" data-headline>85 % accuracy (95 % interval 58 %–95.7 %, 13 test images)</p>');
    expect(html).toContain('Test accuracy (13 images)');
    // Dates as machine-readable <time> (the script shows them in the reader's time zone); the notebook collapsed; the report not embedded again.
    expect(html).toMatch(/Saved <time datetime="\d{4}-\d\d-\d\dT[^"]+Z">/);
    expect(html).toMatch(/<details class="notebook"><summary>Notebook: walkthrough\.ipynb/);
    expect(html).not.toMatch(/<iframe/);
    expect(html).toContain('<a class="btn" href="/signup">Train your own in a free 24-hour trial</a>');
    // Link previews: OpenGraph and Twitter card tags with a generated picture.
    const pageUrl = `${server.config.publicUrl}/share/${token}`;
    expect(html).toContain(`<meta property="og:title" content="Pools &lt;i&gt;vs&lt;/i&gt; no pools">`);
    expect(html).toContain(`<meta property="og:description" content="85 % accuracy, N=13 · house_with_pool vs house_without_pool, seed-compatible mode">`);
    expect(html).toContain(`<meta property="og:image" content="${pageUrl}/preview.png">`);
    expect(html).toContain(`<meta name="twitter:card" content="summary_large_image">`);
    const preview = await fetch(`${pageUrl.replace(server.config.publicUrl, server.url)}/preview.png`);
    expect(preview.status).toBe(200);
    expect(preview.headers.get('content-type')).toBe('image/png');
    expect(await sharp(Buffer.from(await preview.arrayBuffer())).metadata()).toMatchObject({ format: 'png', width: 1200, height: 630 });
    expect(html).toContain('Pools &lt;i&gt;vs&lt;/i&gt; no pools');
    expect(html).toContain('84.6 %');
    expect(html).toContain('aria-label="Accuracy during training"');
    expect(html.match(/<path data-series=/g)).toHaveLength(3);
    expect(html).toMatch(/<table class="confusion">.*<td data-cell[^>]*>6<\/td>/s);
    expect(html).toContain(`<img class="thumb" alt="" src="/share/${token}/files/test_images/house_with_pool/pool-1.png">`);
    expect(html).toContain('house_without_pool/plain-2.jpg');
    // The notebook, rendered inert: markdown as HTML, everything from cells and outputs escaped, HTML outputs left out.
    expect(html).toContain('<h2>Pool or no pool</h2>');
    expect(html).toContain('<strong>your own</strong>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(2)&gt;');
    expect(html).not.toContain('alert(3)');
    expect(html).toContain('src="data:image/png;base64,');
    // No outside address anywhere but in the preview tags (which name this page).
    expect(html.replace(/<meta [^>]*>/g, '')).not.toMatch(/https?:\/\//);
    expect(html).toContain(`href="/share/${token}/download"`);

    // The report frame: sandboxed by CSP as well, only framable by us.
    const report = await anonymous().get(`/share/${token}/report`);
    expect(report.status).toBe(200);
    expect(report.headers.get('content-security-policy')).toMatch(/^sandbox;/);
    expect(report.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    // Files: an image inline, HTML only as a download.
    const image = await fetch(`${server.url}/share/${token}/files/test_images/house_with_pool/pool-1.png`);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');
    expectShareHeaders(image.headers);
    const rawReport = await fetch(`${server.url}/share/${token}/files/report.html`);
    expect(rawReport.headers.get('content-disposition')).toMatch(/^attachment/);
    const zip = await fetch(`${server.url}/share/${token}/download`);
    expect(zip.headers.get('content-type')).toBe('application/zip');
    expect(Buffer.from(await zip.arrayBuffer()).subarray(0, 2).toString()).toBe('PK');
    // The same as JSON.
    const json = await anonymous().get(`/api/share/${token}`);
    expect(json.status).toBe(200);
    expectShareHeaders(json.headers);
    expect(json.body).toMatchObject({ title: 'Pools <i>vs</i> no pools', metrics: { testAccuracy: METRICS.testAccuracy, classes: METRICS.classes }, confusion: { classes: METRICS.classes, matrix: [[6, 1], [1, 5]] } });
    expect(json.body.history).toHaveLength(5);
    expect(json.body.beforeAfter[0]).toMatchObject({ image: 'house_with_pool/pool-1.png', label: 'house_with_pool', after: { label: 'house_with_pool', confidence: 0.93 }, imageUrl: `/share/${token}/files/test_images/house_with_pool/pool-1.png` });
    expect(json.body.beforeAfter[1].imageUrl).toBeNull();
    expect(json.body.artifacts.map((a: any) => a.name)).toContain('model/weights.bin');
    // Views of the page and the JSON are counted; file downloads are not.
    const [link] = (await owner.api.get(`/api/results/${resultId}/shares`)).body.filter((s: any) => s.viewCount > 0);
    expect(link.viewCount).toBe(2);
    expect(link.lastViewedAt).not.toBeNull();
  });

  it('answers revoked, expired and unknown links with the same plain 404 (HTML for the page, JSON for the API)', async () => {
    const { id, token } = (await owner.api.post(`/api/results/${resultId}/shares`, {})).body;
    expect((await anonymous().get(`/share/${token}`)).status).toBe(200);
    expect((await owner.api.delete(`/api/results/${resultId}/shares/${id}`)).status).toBe(204);
    const unknown = 'A'.repeat(43);
    for (const t of [token, unknown, 'short', '..%2F..%2Fetc']) {
      const page = await anonymous().get(`/share/${t}`);
      expect(page.status).toBe(404);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(page.text).toContain('This link does not work');
      expect(page.text).not.toContain('Pools');
      expectShareHeaders(page.headers);
      expect((await anonymous().get(`/share/${t}/files/metrics.json`)).status).toBe(404);
      expect((await anonymous().get(`/share/${t}/download`)).status).toBe(404);
      expect((await anonymous().get(`/share/${t}/preview.png`)).status).toBe(404);
      const api = await anonymous().get(`/api/share/${t}`);
      expect(api.status).toBe(404);
      expect(api.body.message).toMatch(/revoked or has expired/);
    }
    const audit = await sql<{ action: string }>(server, `SELECT action FROM audit_events WHERE action = 'share.revoke' AND details->>'shareId' = $1`, [id]);
    expect(audit).toHaveLength(1);

    const expiring = (await owner.api.post(`/api/results/${resultId}/shares`, { expiresAt: new Date(Date.now() + 1500).toISOString() })).body;
    expect((await anonymous().get(`/share/${expiring.token}`)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1600));
    expect((await anonymous().get(`/share/${expiring.token}`)).status).toBe(404);
    expect((await anonymous().get(`/api/share/${expiring.token}`)).status).toBe(404);
    // Revoking something that is not there: 404.
    expect((await owner.api.delete(`/api/results/${resultId}/shares/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
  });

  it('keeps the result and its link working after the trial ends; another user can neither list nor revoke its links', async () => {
    const { id, token } = (await owner.api.post(`/api/results/${resultId}/shares`, {})).body;
    const other = new ApiClient(server.url);
    await other.signup('eve@example.com');
    expect((await other.get(`/api/results/${resultId}/shares`)).status).toBe(404);
    expect((await other.delete(`/api/results/${resultId}/shares/${id}`)).status).toBe(404);
    expect((await other.post(`/api/results/${resultId}/shares`, {})).status).toBe(404);

    expect((await owner.api.delete('/api/trial')).status).toBe(200);
    await sql(server, `UPDATE sessions SET state = 'stopped', stopped_at = now() WHERE id = $1`, [owner.sessionId]);
    expect((await owner.api.get(`/api/results/${resultId}`)).status).toBe(200);
    const page = await anonymous().get(`/share/${token}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('84.6 %');

    // Deleting the result takes its links with it.
    expect((await owner.api.delete(`/api/results/${resultId}`)).status).toBe(204);
    expect((await anonymous().get(`/share/${token}`)).status).toBe(404);
  });
});
