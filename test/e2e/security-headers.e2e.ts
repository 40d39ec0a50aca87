import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uploadResults } from '../../apps/trainer/src/upload';
import { ApiClient } from '../support/http';
import { startTestServer, TestServer, uploadApiUrl } from '../support/server';
import { Owner, ownerWithSession, writeTrainerOutput } from './results-support';

/** The CSP's directives as a map: `script-src` → ["'self'"]. */
const directives = (csp: string | null) => new Map((csp ?? '').split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([name, ...values]) => [name, values]));

/** What every answer from the portal origin carries, whatever it is. */
function expectPortalPolicy(headers: Headers, what: string) {
  const csp = directives(headers.get('content-security-policy'));
  expect(csp.get('script-src'), `${what}: script-src`).toEqual(["'self'"]);
  expect(csp.get('object-src'), what).toEqual(["'none'"]);
  expect(csp.get('base-uri'), what).toEqual(["'none'"]);
  expect(csp.get('frame-ancestors'), what).toEqual(["'none'"]);
  for (const d of ['default-src', 'img-src', 'style-src', 'connect-src', 'form-action']) expect(csp.get(d), `${what}: ${d}`).toBeDefined();
  expect([...csp.values()].flat(), `${what}: nothing inline for scripts`).not.toContain("'unsafe-eval'");
  expect(csp.get('script-src')).not.toContain("'unsafe-inline'");
  expect(headers.get('x-content-type-options'), what).toBe('nosniff');
  expect(headers.get('x-frame-options'), what).toBe('DENY');
}

describe('security headers on the portal origin', () => {
  let server: TestServer;
  let owner: Owner;
  let resultId: string;
  let token: string;
  let runDir: string;

  beforeAll(async () => {
    runDir = mkdtempSync(join(tmpdir(), 'trialhub-headers-run-'));
    await writeTrainerOutput(runDir);
    writeFileSync(join(runDir, 'evil.svg'), '<svg xmlns="http://www.w3.org/2000/svg"><script>fetch("/api/auth/me")</script></svg>');
    server = await startTestServer();
    owner = await ownerWithSession(server, 'headers@example.com');
    ({ resultId } = await uploadResults({ dir: runDir, uploadUrl: uploadApiUrl(server), token: owner.token, runName: 'headers-run', title: 'Headers' }));
    token = (await owner.api.post(`/api/results/${resultId}/shares`, {})).body.token;
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(runDir, { recursive: true, force: true });
  });

  it('API answers (good, refused and malformed), portal pages and the API docs carry the CSP, nosniff, frame denial and a same-origin referrer policy; no HSTS over http', async () => {
    const anonymous = new ApiClient(server.url);
    const answers = {
      'the API, signed in': await owner.api.get('/api/auth/me'),
      'the API, refused': await anonymous.get('/api/auth/me'),
      'a malformed body': await anonymous.post('/api/auth/login', '['.repeat(3000) + ']'.repeat(3000)),
      'an unknown API path': await anonymous.get('/api/no-such-thing'),
      'a portal page': await anonymous.get('/results', { accept: 'text/html' }),
      'the API docs': await anonymous.get('/api/docs'),
      'the OpenAPI document': await anonymous.get('/api/docs/openapi.json'),
      'the health check': await anonymous.get('/healthz'),
    };
    for (const [what, r] of Object.entries(answers)) {
      expectPortalPolicy(r.headers, what);
      expect(r.headers.get('referrer-policy'), what).toBe('same-origin');
      expect(r.headers.get('strict-transport-security'), what).toBeNull();
      expect(directives(r.headers.get('content-security-policy')).has('upgrade-insecure-requests'), what).toBe(false);
    }
    expect(answers['a malformed body'].status).toBe(400);
    expect(answers['the API docs'].status).toBe(200);
    // Swagger UI's inline styles are allowed by hash only; its scripts are files.
    const docsStyles = directives(answers['the API docs'].headers.get('content-security-policy')).get('style-src')!;
    expect(docsStyles.filter((s) => !s.startsWith("'sha256-"))).toEqual(["'self'", "'unsafe-hashes'"]);
    expect(answers['the API docs'].text).not.toMatch(/<script>(?!\s*<\/script>)/);
  });

  it('share links carry their token in the URL: the page, its JSON and its files never send a Referer', async () => {
    const anonymous = new ApiClient(server.url);
    for (const path of [`/share/${token}`, `/api/share/${token}`, `/share/${token}/files/metrics.json`, `/share/${token}/report`, '/share/not-a-real-token', '/api/share/not-a-real-token']) {
      const r = await anonymous.get(path);
      expect(r.headers.get('referrer-policy'), path).toBe('no-referrer');
      expect(r.headers.get('x-content-type-options'), path).toBe('nosniff');
      const csp = directives(r.headers.get('content-security-policy'));
      expect(csp.get('frame-ancestors')?.[0], path).toMatch(/'none'|'self'/);
      expect(csp.get('script-src') ?? csp.get('default-src'), `${path}: no script from anywhere but us`).not.toContain("'unsafe-inline'");
    }
    const page = await anonymous.get(`/share/${token}`);
    expect(page.text).toContain('<meta name="referrer" content="no-referrer">');
  });

  it('user content (HTML report, SVG, notebook) never runs as the portal: files are attachments or sandboxed, the report frame is sandboxed without allow-same-origin', async () => {
    const anonymous = new ApiClient(server.url);
    for (const [who, path] of [
      ['owner', `/api/results/${resultId}/files/report.html`],
      ['owner', `/api/results/${resultId}/files/evil.svg`],
      ['owner', `/api/results/${resultId}/files/walkthrough.ipynb`],
      ['anyone', `/share/${token}/files/report.html`],
      ['anyone', `/share/${token}/files/evil.svg`],
    ] as const) {
      const r = await (who === 'owner' ? owner.api : anonymous).get(path);
      expect(r.status, path).toBe(200);
      expect(r.headers.get('content-disposition'), path).toMatch(/^attachment;/);
      expect(r.headers.get('content-type'), path).toBe('application/octet-stream');
      expect(r.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(directives(r.headers.get('content-security-policy')).has('sandbox'), path).toBe(true);
    }
    const report = await anonymous.get(`/share/${token}/report`);
    expect(report.status).toBe(200);
    const sandbox = directives(report.headers.get('content-security-policy')).get('sandbox');
    expect(sandbox).toEqual([]);
    expect(directives(report.headers.get('content-security-policy')).get('default-src')).toEqual(["'none'"]);
    // The share page shows the report's content itself: no frame of it at all (issue 14).
    expect((await anonymous.get(`/share/${token}`)).text).not.toMatch(/<iframe/);
  });
});

describe('security headers with an https PUBLIC_URL', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ PUBLIC_URL: 'https://trialhub.example.org', NOTEBOOK_DOMAIN: 'trialhub-notebooks.example.net' });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('adds HSTS (a year) and upgrades insecure subresources', async () => {
    for (const path of ['/api/auth/me', '/healthz', '/api/docs', '/share/unknown']) {
      const r = await new ApiClient(server.url).get(path);
      expect(r.headers.get('strict-transport-security'), path).toBe('max-age=31536000');
      expect(directives(r.headers.get('content-security-policy')).has('upgrade-insecure-requests') || path.startsWith('/share'), path).toBe(true);
    }
  });
});
