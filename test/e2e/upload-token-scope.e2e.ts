import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TestServer } from '../support/server';
import { METRICS, ownerWithSession, putFile, type Owner } from './results-support';

// A session's upload token is the one credential user code holds (it is in the notebook's
// environment). It must open the upload API, on the upload listener, and nothing else: every
// operation of the served OpenAPI document is called with it, as a bearer token and as the
// portal's session cookie, on both listeners.

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
type Method = (typeof METHODS)[number];
const isUploadRoute = (template: string) => template.startsWith('/api/uploads/');
const opens = (status: number) => status >= 200 && status < 400;

interface Answer {
  status: number;
  location: string | null;
  text: string;
}

describe('an upload token opens the upload API and no other route', () => {
  let server: TestServer;
  let owner: Owner;
  let operations: Array<{ method: Method; template: string; path: string }>;

  beforeAll(async () => {
    server = await startTestServer();
    owner = await ownerWithSession(server, 'walker@example.com');
    const doc = (await (await fetch(`${server.url}/api/docs/openapi.json`)).json()) as { paths: Record<string, Partial<Record<Method, unknown>>> };
    operations = Object.entries(doc.paths).flatMap(([template, ops]) =>
      METHODS.filter((m) => ops[m]).map((method) => ({ method, template, path: concrete(template, owner) })),
    );
    // The session's own notebook, which the document does not list.
    for (const path of [`/notebook/${owner.sessionId}/`, `/notebook/${owner.sessionId}/api/contents`]) operations.push({ method: 'get', template: '/notebook/…', path });
  });
  afterAll(async () => {
    await server?.stop();
  });

  /** Fills a template's parameters with the owner's own ids, so a leak would reach real data (and the token itself where a token is expected). */
  function concrete(template: string, o: Owner): string {
    return template.replace(/\{([^}]+)\}/g, (_, name: string) => {
      if (name === 'path') return 'walk-run/notes.json';
      if (name === 'run') return 'walk-done';
      if (/token/i.test(name)) return o.token;
      return o.sessionId;
    });
  }

  async function call(base: string, method: Method, path: string, credential: 'none' | 'bearer' | 'cookie'): Promise<Answer> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (credential === 'bearer') headers.authorization = `Bearer ${owner.token}`;
    if (credential === 'cookie') headers.cookie = `trialhub_session=${owner.token}`;
    const res = await fetch(base + path, { method: method.toUpperCase(), headers, body: method === 'get' || method === 'delete' ? undefined : '{}', redirect: 'manual' });
    return { status: res.status, location: res.headers.get('location'), text: await res.text() };
  }

  it('is a live credential: it uploads a file on the upload listener', async () => {
    for (const run of ['walk-run', 'walk-done']) {
      const put = await putFile(server, owner.token, run, 'metrics.json', JSON.stringify(METRICS), { 'content-type': 'application/json' });
      expect(put.status).toBe(201);
    }
    expect(operations.filter((o) => isUploadRoute(o.template)).length).toBeGreaterThanOrEqual(2);
    expect(operations.length).toBeGreaterThan(40);
  });

  it('opens nothing on the main listener: every operation answers as it does to no credential at all, and never with the owner\'s data', async () => {
    const opened: string[] = [];
    for (const op of operations) {
      const anonymous = await call(server.url, op.method, op.path, 'none');
      for (const credential of ['bearer', 'cookie'] as const) {
        const r = await call(server.url, op.method, op.path, credential);
        const label = `${op.method.toUpperCase()} ${op.path} (${credential}): ${r.status}`;
        expect(r.status, label).toBeLessThan(500);
        // Public routes (health, sign-up, share pages) answer anyone; the token must not change their answer.
        if (opens(r.status) && !(opens(anonymous.status) && r.status === anonymous.status && r.location === anonymous.location)) opened.push(label);
        if (opens(r.status) && (r.text.includes(owner.userId) || r.text.includes('walker@example.com'))) opened.push(`${label} shows the owner's account`);
        if (isUploadRoute(op.template)) expect(r.status, label).toBe(404);
      }
    }
    expect(opened).toEqual([]);
  }, 120_000);

  it('opens only the upload routes on the upload listener, and only as a bearer token', async () => {
    const opened: string[] = [];
    for (const op of operations) {
      for (const credential of ['bearer', 'cookie'] as const) {
        const r = await call(server.uploadUrl, op.method, op.path, credential);
        const label = `${op.method.toUpperCase()} ${op.path} (${credential}): ${r.status}`;
        if (!isUploadRoute(op.template)) {
          expect(r.status, label).toBe(404);
          expect(JSON.parse(r.text).message, label).toMatch(/serves only the session upload API/);
        } else if (credential === 'cookie') expect(r.status, label).toBe(401);
        else if (opens(r.status)) opened.push(`${op.method.toUpperCase()} ${op.template}`);
      }
    }
    // The bearer token does open the upload routes here (PUT a file; complete the run).
    expect(opened.sort()).toEqual(['POST /api/uploads/{run}/complete', 'PUT /api/uploads/{path}']);
    expect((await fetch(`${server.uploadUrl}/healthz`)).status).toBe(404);
  }, 120_000);
});
