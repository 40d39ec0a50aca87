import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { SessionTokens } from '../../apps/control-plane/src/sessions/session-tokens';
import { buildOnce } from '../support/control-plane-process';
import { ApiClient, setCookies } from '../support/http';
import { executeOnKernel } from '../support/jupyter-kernel';
import { NotebookClient } from '../support/notebook-origin';
import { startTestServer, TestServer } from '../support/server';
import { killSessionProcesses } from '../support/session-processes';
import { waitFor } from '../support/wait';

const view = (api: ApiClient, id: string) => api.get(`/api/sessions/${id}`).then((r) => r.body);
const PASSWORD = 'correct-horse-battery';

/** Signs up and returns the client plus its raw Cookie header (for WebSockets and plain fetch). */
async function member(url: string, email: string): Promise<{ api: ApiClient; cookie: string }> {
  const api = new ApiClient(url);
  await api.signup(email, PASSWORD);
  const login = await api.post('/api/auth/login', { email, password: PASSWORD });
  expect(login.status).toBe(200);
  return { api, cookie: setCookies(login.headers).map((c) => c.split(';')[0]).join('; ') };
}

/** The status a WebSocket upgrade is answered with (101 when it went through). */
function upgradeStatus(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    ws.on('error', reject);
  });
}

describe("the notebook proxy on each session's own origin (local runtime, real Jupyter)", () => {
  let server: TestServer;
  let owner: { api: ApiClient; cookie: string };
  let session: any;
  /** The owner's browser on the session's notebook origin, after the portal's hand-off. */
  let nb: NotebookClient;
  let jupyterLog: string;
  let db: Client;

  beforeAll(async () => {
    buildOnce(); // the trainer library the notebook imports lives in dist/
    server = await startTestServer({ SESSION_IDLE_TIMEOUT: '1h' });
    db = new Client({ connectionString: server.databaseUrl });
    await db.connect();
    owner = await member(server.url, 'owner@example.com');
    const launched = await owner.api.post('/api/sessions', { profile: 'cpu' });
    expect(launched.status).toBe(202);
    session = await waitFor('the session to be ready', () => view(owner.api, launched.body.id), (s) => s.state === 'ready' || s.state === 'failed', 90_000);
    expect(session).toMatchObject({ state: 'ready', mode: 'jupyter' });
    jupyterLog = join(server.dataDir, 'runtime', 'default', 'logs', `${session.id}.log`);
    nb = new NotebookClient(server.url, session.id);
    // Only the hand-off: the first request through the proxy is the activity test's.
    await nb.open(owner.api, { loadPage: false });
  }, 180_000);

  afterAll(async () => {
    await db?.end();
    const dataDir = server?.dataDir;
    await server?.stop();
    if (dataDir) killSessionProcesses(dataDir);
  });

  it('records activity for the idle timeout when traffic passes', async () => {
    // Half the idle timeout ago: old enough to see it move, not so old that a deadline pass
    // between this write and the proxy's stops the session as idle (SESSION_IDLE_TIMEOUT 1h).
    const { rows: [before] } = await db.query(`UPDATE sessions SET last_activity_at = now() - interval '30 minutes' WHERE id = $1 RETURNING last_activity_at`, [session.id]);
    expect((await nb.get(`/notebook/${session.id}/api/status`)).status).toBe(200);
    const row = await waitFor(
      'last_activity_at to move',
      async () => (await db.query(`SELECT last_activity_at FROM sessions WHERE id = $1`, [session.id])).rows[0],
      (r) => new Date(r.last_activity_at).getTime() > new Date(before.last_activity_at).getTime() + 25 * 60_000,
    );
    expect(Date.now() - new Date(row.last_activity_at).getTime()).toBeLessThan(60_000);
  });

  it('lists the workspace files through the proxy, with the example notebook in it', async () => {
    const r = await nb.get(`/notebook/${session.id}/api/contents`);
    expect(r.status).toBe(200);
    expect(r.body.type).toBe('directory');
    expect(r.body.content.map((f: any) => f.name)).toContain('Classifying-House-And-Pool-Images.ipynb');
  });

  it('adds the Jupyter token itself: the browser never sees it, and Jupyter refuses requests without it', async () => {
    const { rows } = await db.query(`SELECT generation, endpoint_port FROM sessions WHERE id = $1`, [session.id]);
    const token = server.app.get(SessionTokens).jupyterToken(session.id, rows[0].generation);
    const page = await nb.get(`/notebook/${session.id}/tree`, { accept: 'text/html' });
    expect(page.status).toBe(200);
    expect(page.text).toContain('<html');
    expect(page.text).not.toContain(token);
    expect(page.setCookies.some((c) => c.startsWith('username-'))).toBe(false);
    expect(JSON.stringify(page.headers)).not.toContain(token);
    // No page may frame a notebook: Jupyter's own frame-ancestors 'self' is replaced.
    expect(page.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    expect(page.headers['content-security-policy']).not.toMatch(/frame-ancestors 'self'/);
    // The notebook server itself insists on the token the proxy adds.
    const direct = await fetch(`http://127.0.0.1:${rows[0].endpoint_port}/notebook/${session.id}/api/contents`);
    expect(direct.status).toBe(403);
  });

  it('starts a TypeScript (tslab) kernel and runs code over the kernel WebSocket, with the trainer library importable', async () => {
    const kernel = await nb.post(`/notebook/${session.id}/api/kernels`, { name: 'tslab' });
    expect(kernel.status).toBe(201);
    const wsUrl = nb.wsUrl(`/notebook/${session.id}/api/kernels/${kernel.body.id}/channels?session_id=e2e`);
    const typed = await executeOnKernel(wsUrl, nb.wsHeaders(), 'const answer: number = 6 * 7;\nconsole.log(`the answer is ${answer}`);');
    expect(typed).toEqual({ stdout: 'the answer is 42\n' });
    const trainer = await executeOnKernel(wsUrl, nb.wsHeaders(), "const trainer = require('trialhub-trainer');\nconsole.log(typeof trainer.saveResultsToTrialhub, process.env.TRIALHUB_SESSION_ID);");
    expect(trainer, JSON.stringify(trainer)).toEqual({ stdout: `function ${session.id}\n` });
    // A type error is TypeScript's, reported by the kernel: it really is the TypeScript kernel.
    const wrong = await executeOnKernel(wsUrl, nb.wsHeaders(), "const n: number = 'text';");
    expect(`${wrong.error ?? ''} ${wrong.stdout}`).toMatch(/not assignable to type 'number'/);
    expect((await nb.delete(`/notebook/${session.id}/api/kernels/${kernel.body.id}`)).status).toBe(204);
  }, 120_000);

  it('uploads and downloads a 50 MB file through the proxy, byte for byte', async () => {
    const data = randomBytes(50 * 1024 * 1024);
    const sha = createHash('sha256').update(data).digest('hex');
    const put = await nb.put(`/notebook/${session.id}/api/contents/big.bin`, { type: 'file', format: 'base64', content: data.toString('base64') });
    expect(put.status).toBe(201);
    const onDisk = join(server.dataDir, 'workspaces', session.trialId, 'big.bin');
    expect(statSync(onDisk).size).toBe(data.length);
    const res = await nb.raw('GET', `/notebook/${session.id}/files/big.bin`);
    expect(res.statusCode).toBe(200);
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const chunk of res as AsyncIterable<Uint8Array>) {
      hash.update(chunk);
      bytes += chunk.length;
    }
    expect(bytes).toBe(data.length);
    expect(hash.digest('hex')).toBe(sha);
  }, 120_000);

  it("accepts writes the way Jupyter's web UI sends them: the _xsrf cookie echoed in X-XSRFToken, from the notebook's own origin", async () => {
    expect(nb.cookies.get('_xsrf')).toBeDefined();
    const put = await nb.put(`/notebook/${session.id}/api/contents/from-the-ui.txt`, { type: 'file', format: 'text', content: 'hello' });
    expect(put.status).toBe(201);
  });

  it("refuses writes and WebSockets from any other origin (the portal's included) and cookie writes without an XSRF token", async () => {
    const write = (headers: Record<string, string>) => nb.put(`/notebook/${session.id}/api/contents/evil.txt`, { type: 'file', format: 'text', content: 'x' }, headers);
    expect((await write({ origin: 'https://evil.example' })).status).toBe(403);
    // The portal's origin is not the notebook's: script on the portal cannot drive a kernel either.
    expect((await write({ origin: new URL(server.config.publicUrl).origin })).status).toBe(403);
    expect((await write({ origin: 'null' })).status).toBe(403);
    expect((await write({ 'x-xsrftoken': '' })).status).toBe(403);
    // The portal's CSRF token means nothing here.
    expect((await write({ 'x-xsrftoken': '', 'x-csrf-token': owner.api.csrf! })).status).toBe(403);
    const channels = nb.wsUrl(`/notebook/${session.id}/api/kernels/x/channels`);
    expect(await upgradeStatus(channels, nb.wsHeaders({ origin: 'https://evil.example' }))).toBe(403);
    expect(await upgradeStatus(channels, nb.wsHeaders({ origin: new URL(server.config.publicUrl).origin }))).toBe(403);
    expect((await nb.get(`/notebook/${session.id}/api/contents/evil.txt`)).status).toBe(404);
  });

  it("another user (their portal cookie or bearer token) gets 404 or 401 and an anonymous client 401, over HTTP and WebSocket, and neither reaches Jupyter", async () => {
    const stranger = await member(server.url, 'stranger@example.com');
    const probe = (who: string) => `/notebook/${session.id}/api/contents/probe-${who}-${randomBytes(4).toString('hex')}`;
    const strangerPath = probe('stranger');
    const anonymousPath = probe('anonymous');
    const ownerPath = probe('owner');

    // The stranger's portal log-in on the portal's old path: no hand-off, the same 404 as an unknown session.
    const asStranger = await stranger.api.get(strangerPath);
    expect(asStranger.status).toBe(404);
    expect(asStranger.body.message).toMatch(/does not exist, or it belongs to another account/);
    // The stranger's portal cookie sent to the owner's notebook origin is no credential there.
    const strangerHere = await nb.get(strangerPath, { cookie: stranger.cookie });
    expect(strangerHere.status).toBe(401);
    // Nor is a bearer token of theirs.
    const strangerBearer = await nb.get(strangerPath, { cookie: '', authorization: `Bearer ${stranger.cookie.match(/trialhub_session=([^;]+)/)![1]}` });
    expect(strangerBearer.status).toBe(404);
    const anonymous = await nb.get(anonymousPath, { cookie: '' });
    expect(anonymous.status).toBe(401);
    const page = await nb.get(anonymousPath, { cookie: '', accept: 'text/html' });
    expect(page.status).toBe(401);
    // Its way back is the portal, which hands the owner off again.
    expect(page.text).toContain(`href="${server.config.publicUrl}${anonymousPath}"`);
    const portalAnonymous = await fetch(server.url + anonymousPath, { headers: { accept: 'text/html' }, redirect: 'manual' });
    expect(portalAnonymous.status).toBe(401);
    expect(await portalAnonymous.text()).toContain(`/login?next=${encodeURIComponent(`/sessions/${session.id}`)}`);
    const channels = nb.wsUrl(`/notebook/${session.id}/api/kernels/none/channels`);
    expect(await upgradeStatus(channels, nb.wsHeaders({ cookie: stranger.cookie }))).toBe(401);
    expect(await upgradeStatus(channels, { host: nb.host, origin: nb.origin })).toBe(401);
    // The portal serves no notebook WebSockets at all, not even to the owner.
    expect(await upgradeStatus(`${server.url.replace('http', 'ws')}/notebook/${session.id}/api/kernels/none/channels`, { cookie: owner.cookie })).toBe(404);

    // Jupyter logs every 404 it answers; the owner's probe shows up, the others' never did.
    expect((await nb.get(ownerPath)).status).toBe(404);
    const log = await waitFor('the owner probe in the Jupyter log', () => readFileSync(jupyterLog, 'utf8'), (text) => text.includes(ownerPath));
    expect(log).not.toContain(strangerPath);
    expect(log).not.toContain(anonymousPath);
    expect(log).not.toContain('/api/kernels/none/channels');

    // And the proxy counts what it refused.
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const count = (labels: string) => Number(new RegExp(`trialhub_notebook_proxy_requests_total\\{${labels}\\} (\\d+)`).exec(metrics)?.[1] ?? 0);
    expect(count('kind="http",outcome="anonymous"')).toBeGreaterThanOrEqual(3);
    expect(count('kind="http",outcome="not_found"')).toBeGreaterThanOrEqual(2);
    expect(count('kind="websocket",outcome="anonymous"')).toBeGreaterThanOrEqual(2);
    expect(count('kind="http",outcome="handed_off"')).toBeGreaterThanOrEqual(1);
    expect(count('kind="http",outcome="forwarded"')).toBeGreaterThan(5);
  });

  it('a session that is still starting gets a page that says so and reloads itself', async () => {
    const other = await member(server.url, 'starter@example.com');
    const launched = await other.api.post('/api/sessions', { profile: 'cpu' });
    // Hand-offs are minted from admission on (admission starts the generation that runs; while queued the
    // old path leads to the session page), so this one works while it starts and once it is ready.
    await waitFor('admitted', () => view(other.api, launched.body.id), (s) => s.state === 'provisioning' || s.state === 'starting', 30_000);
    const theirs = new NotebookClient(server.url, launched.body.id);
    const handoff = await other.api.get(`/notebook/${launched.body.id}/tree`);
    expect(handoff.status).toBe(302);
    expect((await theirs.follow(handoff.headers.get('location')!)).status).toBe(302);
    const r = await theirs.get(`/notebook/${launched.body.id}/tree`, { accept: 'text/html' });
    expect(r.status).toBe(503);
    expect(r.headers['retry-after']).toBe('2');
    const html = r.text;
    expect(html).toContain('Your notebook is');
    expect(html).toContain('http-equiv="refresh"');
    await waitFor('ready', () => view(other.api, launched.body.id), (s) => s.state === 'ready', 90_000);
    await other.api.delete(`/api/sessions/${launched.body.id}`);
  }, 120_000);

  it('/notebook/<id> without the slash redirects to the notebook; an unknown session gets a clear page', async () => {
    const bare = await nb.get(`/notebook/${session.id}`);
    expect(bare.status).toBe(302);
    expect(bare.headers.location).toBe(`/notebook/${session.id}/`);
    const unknown = await owner.api.get('/notebook/00000000-0000-4000-8000-000000000000/tree', { accept: 'text/html' });
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain('No notebook here');
    expect(unknown.text).toContain('href="/"');
  });

  it('a stopped session gets a page with a way back to the portal, not a socket error', async () => {
    expect((await owner.api.delete(`/api/sessions/${session.id}`)).status).toBe(202);
    await waitFor('stopped', () => view(owner.api, session.id), (s) => s.state === 'stopped', 60_000);
    const page = await nb.get(`/notebook/${session.id}/tree`, { accept: 'text/html' });
    expect(page.status).toBe(410);
    expect(page.text).toContain('has stopped');
    expect(page.text).toContain(`href="${server.config.publicUrl}/sessions/${session.id}"`);
    const api = await nb.get(`/notebook/${session.id}/api/contents`);
    expect(api.status).toBe(410);
    expect(api.body).toMatchObject({ statusCode: 410, error: 'Gone' });
  }, 90_000);
});
