/**
 * Issue 13: each session's notebook on its own origin. The portal hands the owner off with a
 * one-time token (single use, expiring, bound to session, generation and owner); the notebook
 * origin's cookie ends with stop, resume, log-out, log-out everywhere, password change and
 * suspension; the old path only redirects or 404s; a notebook origin answers nothing but its
 * session's Jupyter. Real control plane, PostgreSQL and Jupyter (local runtime).
 */
import { createHash } from 'node:crypto';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotebookClock } from '../../apps/control-plane/src/proxy/notebook-clock';
import { buildOnce } from '../support/control-plane-process';
import { ApiClient } from '../support/http';
import { NotebookClient } from '../support/notebook-origin';
import { startTestServer, TestServer } from '../support/server';
import { killSessionProcesses } from '../support/session-processes';
import { waitFor } from '../support/wait';

const PASSWORD = 'correct-horse-battery';
const ADMIN = { email: 'ops@trialhub.test', password: 'ops-password-staple-9' };
const view = (api: ApiClient, id: string) => api.get(`/api/sessions/${id}`).then((r) => r.body);
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

async function login(url: string, email: string, password = PASSWORD): Promise<ApiClient> {
  const api = new ApiClient(url);
  const r = await api.post('/api/auth/login', { email, password });
  expect(r.status).toBe(200);
  return api;
}

async function readySession(api: ApiClient): Promise<string> {
  const launched = await api.post('/api/sessions', { profile: 'cpu' });
  expect(launched.status).toBe(202);
  const s = await waitFor('the session to be ready', () => view(api, launched.body.id), (v) => v.state === 'ready' || v.state === 'failed', 90_000);
  expect(s).toMatchObject({ state: 'ready', mode: 'jupyter' });
  return s.id;
}

/** A hand-off URL for `sessionId` as the portal's old path gives it to `api`'s user. */
async function handoffUrl(api: ApiClient, sessionId: string, rest = 'tree'): Promise<string> {
  const r = await api.get(`/notebook/${sessionId}/${rest}`);
  expect(r.status, r.text).toBe(302);
  return r.headers.get('location')!;
}

describe('notebook origins: hand-off, cookies and what a notebook origin answers', () => {
  let server: TestServer;
  let db: Client;
  let owner: ApiClient;
  let ownerSession: string;
  let other: ApiClient;
  let otherSession: string;
  let admin: ApiClient;

  beforeAll(async () => {
    buildOnce();
    server = await startTestServer({ SESSION_IDLE_TIMEOUT: '1h', ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password });
    db = new Client({ connectionString: server.databaseUrl });
    await db.connect();
    owner = new ApiClient(server.url);
    await owner.signup('owner@example.com', PASSWORD);
    other = new ApiClient(server.url);
    await other.signup('other@example.com', PASSWORD);
    admin = await login(server.url, ADMIN.email, ADMIN.password);
    [ownerSession, otherSession] = await Promise.all([readySession(owner), readySession(other)]);
  }, 240_000);

  afterAll(async () => {
    await db?.end();
    const dataDir = server?.dataDir;
    await server?.stop();
    if (dataDir) killSessionProcesses(dataDir);
  });

  it("the owner's GET of the old path mints a one-time token and sends them to the session's origin, keeping the rest of the path", async () => {
    const location = await handoffUrl(owner, ownerSession, 'notebooks/x.ipynb?kernel_name=tslab');
    const url = new URL(location);
    expect(url.origin).toBe(`http://${ownerSession}.localhost:${new URL(server.url).port}`);
    expect(url.pathname).toBe('/_trialhub/handoff');
    expect(url.searchParams.get('next')).toBe(`/notebook/${ownerSession}/notebooks/x.ipynb?kernel_name=tslab`);
    const token = url.searchParams.get('token')!;
    // Stored only hashed, for at most a minute.
    const { rows } = await db.query(`SELECT token_hash, expires_at - created_at AS ttl FROM notebook_handoffs WHERE token_hash = $1`, [sha256(token)]);
    expect(rows).toHaveLength(1);
    expect((await db.query(`SELECT 1 FROM notebook_handoffs WHERE token_hash = $1`, [token])).rows).toHaveLength(0);
    expect(rows[0].ttl.minutes ?? 0).toBeLessThanOrEqual(1);
  });

  it('a hand-off works once: it sets a host-only, HttpOnly, SameSite=Lax cookie and goes on without a referrer; the second use is refused', async () => {
    const nb = new NotebookClient(server.url, ownerSession);
    const location = await handoffUrl(owner, ownerSession);
    const first = await nb.follow(location);
    expect(first.status).toBe(302);
    expect(first.headers.location).toBe(`/notebook/${ownerSession}/tree`);
    expect(first.headers['referrer-policy']).toBe('no-referrer');
    expect(first.headers['content-security-policy']).toBe("frame-ancestors 'none'");
    const [cookie] = first.setCookies;
    expect(cookie).toMatch(/^trialhub_notebook=[\w-]+; Path=\/; HttpOnly; SameSite=Lax$/);
    expect(cookie).not.toMatch(/domain=/i);
    expect((await nb.get(`/notebook/${ownerSession}/api/status`)).status).toBe(200);

    const again = await new NotebookClient(server.url, ownerSession).follow(location, { accept: 'text/html' });
    expect(again.status).toBe(403);
    expect(again.setCookies).toEqual([]);
    expect(again.text).toContain('work once, for one minute');
  });

  it('two redemptions racing for one token: exactly one wins', async () => {
    const location = await handoffUrl(owner, ownerSession);
    const answers = await Promise.all(Array.from({ length: 8 }, () => new NotebookClient(server.url, ownerSession).follow(location)));
    expect(answers.map((a) => a.status).sort()).toEqual([302, 403, 403, 403, 403, 403, 403, 403]);
  });

  it('an expired hand-off is refused (the clock is moved, not slept on)', async () => {
    const location = await handoffUrl(owner, ownerSession);
    const clock = server.app.get(NotebookClock);
    clock.now = () => new Date(Date.now() + 61_000);
    try {
      expect((await new NotebookClient(server.url, ownerSession).follow(location)).status).toBe(403);
    } finally {
      clock.now = () => new Date();
    }
    // And one just inside its minute still works.
    const fresh = await handoffUrl(owner, ownerSession);
    clock.now = () => new Date(Date.now() + 50_000);
    try {
      expect((await new NotebookClient(server.url, ownerSession).follow(fresh)).status).toBe(302);
    } finally {
      clock.now = () => new Date();
    }
  });

  it("is bound to its session: it does nothing on another session's origin (and is not spent there), and `next` cannot leave the session", async () => {
    const location = await handoffUrl(owner, ownerSession);
    const token = new URL(location).searchParams.get('token')!;
    const elsewhere = new NotebookClient(server.url, otherSession);
    expect((await elsewhere.get(`/_trialhub/handoff?token=${token}&next=/notebook/${otherSession}/tree`)).status).toBe(403);
    expect(elsewhere.cookies.size).toBe(0);
    const nb = new NotebookClient(server.url, ownerSession);
    for (const next of ['//evil.example/', 'https://evil.example/', `/notebook/${otherSession}/tree`, `/notebook/${ownerSession}/../${otherSession}/tree`, '/api/auth/me']) {
      const r = await nb.get(`/_trialhub/handoff?token=${token}&next=${encodeURIComponent(next)}`);
      expect(r.status, next).toBe(403);
      expect(r.headers.location).toBeUndefined();
    }
    expect((await nb.follow(location)).status).toBe(302);
  });

  it("is bound to its owner: nobody else gets one, through the old path or the API, and the API needs the CSRF token with a cookie", async () => {
    expect((await other.get(`/notebook/${ownerSession}/tree`)).status).toBe(404);
    expect((await other.post(`/api/sessions/${ownerSession}/notebook-handoff`)).status).toBe(404);
    // An admin sees the session in the portal, but is not its owner: no notebook.
    expect((await admin.get(`/notebook/${ownerSession}/tree`)).status).toBe(404);
    const anonymous = await fetch(`${server.url}/notebook/${ownerSession}/tree`, { redirect: 'manual' });
    expect(anonymous.status).toBe(401);
    const noCsrf = await owner.post(`/api/sessions/${ownerSession}/notebook-handoff`, {}, { 'x-csrf-token': 'forged' });
    expect(noCsrf.status).toBe(403);
    const viaApi = await owner.post(`/api/sessions/${ownerSession}/notebook-handoff`);
    expect(viaApi.status).toBe(201);
    const nb = new NotebookClient(server.url, ownerSession);
    expect((await nb.follow(viaApi.body.url)).status).toBe(302);
    expect((await nb.get(`/notebook/${ownerSession}/api/contents`)).status).toBe(200);
  });

  it('mints no hand-off before admission (which starts a new generation) or after a stop: the API says why (409), the old path goes to the session page', async () => {
    const waiter = new ApiClient(server.url);
    await waiter.signup('waiter@example.com', PASSWORD);
    // No free slot: the launch stays queued (running sessions keep theirs).
    const { rows: [cpu] } = await db.query(`SELECT slots FROM profiles WHERE name = 'cpu'`);
    expect((await admin.put('/api/admin/profiles/cpu', { slots: 0 })).status).toBe(200);
    try {
      const launched = await waiter.post('/api/sessions', { profile: 'cpu' });
      expect(launched.status).toBe(202);
      expect((await view(waiter, launched.body.id)).state).toBe('queued');
      const refused = await waiter.post(`/api/sessions/${launched.body.id}/notebook-handoff`);
      expect(refused.status).toBe(409);
      expect(refused.body.message).toBe('The notebook has not started yet: the session is queued for a free machine. Open it once the session page says it is starting.');
      const portalPath = await waiter.get(`/notebook/${launched.body.id}/tree`);
      expect(portalPath.status).toBe(302);
      expect(portalPath.headers.get('location')).toBe(`/sessions/${launched.body.id}`);
      const { rows } = await db.query('SELECT count(*)::int AS n FROM notebook_handoffs WHERE session_id = $1', [launched.body.id]);
      expect(rows[0].n).toBe(0);
      // Somebody else's queued session is still a 404, as any session not theirs.
      expect((await other.post(`/api/sessions/${launched.body.id}/notebook-handoff`)).status).toBe(404);

      expect((await waiter.delete(`/api/sessions/${launched.body.id}`)).status).toBe(202);
      await waitFor('stopped', () => view(waiter, launched.body.id), (v) => v.state === 'stopped', 30_000);
      const stopped = await waiter.post(`/api/sessions/${launched.body.id}/notebook-handoff`);
      expect(stopped.status).toBe(409);
      expect(stopped.body.message).toBe('The session has stopped, so there is no notebook to open; resume it from its session page first.');
      expect((await waiter.get(`/notebook/${launched.body.id}/tree`)).headers.get('location')).toBe(`/sessions/${launched.body.id}`);
    } finally {
      expect((await admin.put('/api/admin/profiles/cpu', { slots: cpu.slots })).status).toBe(200);
    }
  });

  it("the old path on the portal never serves notebook content: GET redirects the owner, anything else is 404, WebSockets too", async () => {
    const api = await owner.get(`/notebook/${ownerSession}/api/contents`);
    expect(api.status).toBe(302);
    expect(api.text).toBe('');
    expect((await owner.put(`/notebook/${ownerSession}/api/contents/x.txt`, { type: 'file', format: 'text', content: 'x' })).status).toBe(404);
    expect((await owner.post(`/notebook/${ownerSession}/api/kernels`, { name: 'tslab' })).status).toBe(404);
    expect((await owner.get('/notebook/00000000-0000-4000-8000-000000000000/tree')).status).toBe(404);
  });

  it("a notebook origin answers nothing but its session's Jupyter: no portal API or pages, no other session, no unknown host", async () => {
    const nb = new NotebookClient(server.url, ownerSession);
    await nb.open(owner);
    for (const path of ['/', '/api/auth/me', '/api/sessions', '/api/docs/openapi.json', '/login', '/metrics', '/healthz', `/notebook/${otherSession}/api/contents`, '/share/x']) {
      const r = await nb.get(path);
      expect(r.status, path).toBe(404);
      expect(r.headers['content-security-policy'], path).toBe("frame-ancestors 'none'");
      expect(r.text, path).not.toContain('owner@example.com');
    }
    // A host under the notebook domain that names no session is nobody's, the portal's neither.
    const port = new URL(server.url).port;
    for (const host of [`www.localhost:${port}`, `00000000-0000-4000-8000-000000000000.localhost:${port}`, `a.${ownerSession}.localhost:${port}`]) {
      const r = await nb.get('/api/auth/me', { host });
      expect(r.status, host).toBe(404);
    }
    // Portal cookies sent to a notebook origin are no log-in there.
    const portalCookie = `trialhub_session=${owner.cookieValue('trialhub_session')}`;
    expect((await nb.get(`/notebook/${ownerSession}/api/contents`, { cookie: portalCookie })).status).toBe(401);
    // Another session's notebook cookie is no log-in here either: it names its own session only.
    const theirs = new NotebookClient(server.url, otherSession);
    await theirs.open(other, { loadPage: false });
    expect((await nb.get(`/notebook/${ownerSession}/api/contents`, { cookie: theirs.cookieHeader })).status).toBe(404);
    expect((await theirs.get(`/notebook/${otherSession}/api/contents`)).status).toBe(200);
    // A planted duplicate of the notebook cookie makes neither count.
    expect((await nb.get(`/notebook/${ownerSession}/api/contents`, { cookie: `${nb.cookieHeader}; trialhub_notebook=planted` })).status).toBe(401);
  });

  it('log-out ends the notebook cookies of that log-in; password change and log-out everywhere end all of them', async () => {
    // Log-out.
    const second = await login(server.url, 'owner@example.com');
    const nb = new NotebookClient(server.url, ownerSession);
    await nb.open(second, { loadPage: false });
    expect((await nb.get(`/notebook/${ownerSession}/api/status`)).status).toBe(200);
    expect((await second.post('/api/auth/logout')).status).toBe(204);
    expect((await nb.get(`/notebook/${ownerSession}/api/status`)).status).toBe(401);
    // A hand-off minted through a log-in dies with it too.
    const third = await login(server.url, 'owner@example.com');
    const pending = await handoffUrl(third, ownerSession);
    await third.post('/api/auth/logout');
    expect((await new NotebookClient(server.url, ownerSession).follow(pending)).status).toBe(403);

    // Password change: the changing log-in itself stays, its notebook cookie does not.
    const changer = await login(server.url, 'owner@example.com');
    const viaChanger = new NotebookClient(server.url, ownerSession);
    await viaChanger.open(changer, { loadPage: false });
    const viaOwner = new NotebookClient(server.url, ownerSession);
    await viaOwner.open(owner, { loadPage: false });
    const newPassword = 'a-much-longer-passphrase-42';
    expect((await changer.put('/api/auth/password', { currentPassword: PASSWORD, newPassword })).status).toBe(200);
    expect((await changer.get('/api/auth/me')).status).toBe(200);
    expect((await viaChanger.get(`/notebook/${ownerSession}/api/status`)).status).toBe(401);
    expect((await viaOwner.get(`/notebook/${ownerSession}/api/status`)).status).toBe(401);

    // Log-out everywhere, asked of this replica: at once.
    const otherBrowser = await login(server.url, 'owner@example.com', newPassword);
    const elsewhere = new NotebookClient(server.url, ownerSession);
    await elsewhere.open(otherBrowser, { loadPage: false });
    expect((await elsewhere.get(`/notebook/${ownerSession}/api/status`)).status).toBe(200);
    expect((await changer.post('/api/auth/logout-everywhere')).status).toBe(204);
    expect((await elsewhere.get(`/notebook/${ownerSession}/api/status`)).status).toBe(401);
    expect((await otherBrowser.get('/api/auth/me')).status).toBe(401);
    expect((await changer.get('/api/auth/me')).status).toBe(401);
    const changerAgain = await login(server.url, 'owner@example.com', newPassword);

    // The same deletion done by another replica (here straight in the database): this replica learns it from its 1 s caches running out.
    const again = new NotebookClient(server.url, ownerSession);
    await again.open(changerAgain, { loadPage: false });
    expect((await again.get(`/notebook/${ownerSession}/api/status`)).status).toBe(200);
    const changerId = (await changerAgain.get('/api/auth/me')).body.user.id;
    await db.query(`DELETE FROM auth_tokens WHERE user_id = $1`, [changerId]);
    await waitFor('the notebook cookie to be refused', () => again.get(`/notebook/${ownerSession}/api/status`).then((r) => r.status), (s) => s === 401, 5_000);
    expect((await db.query(`SELECT count(*)::int AS n FROM notebook_credentials WHERE user_id = $1`, [changerId])).rows[0].n).toBe(0);
    owner = await login(server.url, 'owner@example.com', newPassword);
  });

  it("a stopped session's notebook cookie reaches nothing, and after a resume (a new generation) it is refused; a new hand-off works", async () => {
    const nb = new NotebookClient(server.url, ownerSession);
    await nb.open(owner, { loadPage: false });
    const pending = await handoffUrl(owner, ownerSession);
    expect((await nb.get(`/notebook/${ownerSession}/api/status`)).status).toBe(200);
    expect((await owner.delete(`/api/sessions/${ownerSession}`)).status).toBe(202);
    // At once on this replica: the stop is seen by the next request.
    expect((await nb.get(`/notebook/${ownerSession}/api/status`)).status).toBe(410);
    await waitFor('stopped', () => view(owner, ownerSession), (s) => s.state === 'stopped', 60_000);
    expect((await owner.post(`/api/sessions/${ownerSession}/resume`)).status).toBe(202);
    await waitFor('ready again', () => view(owner, ownerSession), (s) => s.state === 'ready' || s.state === 'failed', 90_000);
    const old = await nb.get(`/notebook/${ownerSession}/api/status`);
    expect(old.status).toBe(401);
    expect(old.body.message).toMatch(/stopped or resumed/);
    // A hand-off minted for the old generation is refused too.
    expect((await new NotebookClient(server.url, ownerSession).follow(pending)).status).toBe(403);
    const fresh = new NotebookClient(server.url, ownerSession);
    await fresh.open(owner, { loadPage: false });
    expect((await fresh.get(`/notebook/${ownerSession}/api/status`)).status).toBe(200);
  }, 180_000);

  it("suspension ends the account's notebook cookies at once", async () => {
    const nb = new NotebookClient(server.url, otherSession);
    await nb.open(other, { loadPage: false });
    expect((await nb.get(`/notebook/${otherSession}/api/status`)).status).toBe(200);
    const otherId = (await other.get('/api/auth/me')).body.user.id;
    expect((await admin.post(`/api/admin/users/${otherId}/suspend`, { reason: 'e2e' })).status).toBe(200);
    expect((await nb.get(`/notebook/${otherSession}/api/status`)).status).toBe(401);
    expect((await db.query(`SELECT count(*)::int AS n FROM notebook_credentials WHERE user_id = $1`, [otherId])).rows[0].n).toBe(0);
  });
});
