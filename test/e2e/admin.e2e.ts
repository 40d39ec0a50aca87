import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/http';
import { startFakeCluster, waitFor } from '../support/kube';
import { startTestServer, TestServer } from '../support/server';

const ADMIN = { email: 'admin@trialhub.test', password: 'admin-password-1' };

describe('admin', () => {
  let server: TestServer;
  let cluster: Awaited<ReturnType<typeof startFakeCluster>>;
  let admin: ApiClient;

  beforeAll(async () => {
    cluster = await startFakeCluster({ nodes: 2, gpusPerNode: 4, cpuOnlyNodes: 1 });
    server = await startTestServer({ ...cluster.env, ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password });
    admin = new ApiClient(server.url);
    const r = await admin.post('/api/auth/login', ADMIN);
    expect(r.status).toBe(200);
  });
  afterAll(async () => {
    await server?.stop();
    await cluster?.fake.close();
  });

  const session = (api: ApiClient, id: string) => api.get(`/api/sessions/${id}`).then((r) => r.body);

  it('answers 403 to a non-admin on every admin route (walking the route table)', async () => {
    const user = new ApiClient(server.url);
    await user.signup('not-admin@example.com');
    const doc = (await user.get('/api/docs/openapi.json')).body;
    const routes = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
      .filter(([path]) => path.startsWith('/api/admin'))
      .flatMap(([path, methods]) => Object.keys(methods).map((m) => [m.toUpperCase(), path.replace(/\{(\w+)\}/g, (_x, n) => (n === 'name' ? 'cpu' : '00000000-0000-4000-8000-000000000000'))] as const));
    expect(routes.length).toBeGreaterThanOrEqual(15);
    for (const [method, path] of routes) {
      const r = await user.request(method, path, ['GET', 'DELETE'].includes(method) ? undefined : {});
      expect({ method, path, status: r.status }).toEqual({ method, path, status: 403 });
      const anonymous = await new ApiClient(server.url).request(method, path, ['GET', 'DELETE'].includes(method) ? undefined : {});
      expect({ method, path, status: anonymous.status }).toEqual({ method, path, status: 401 });
    }
  });

  it('lowering a profile\'s slots queues new launches without stopping running ones', async () => {
    const users = [new ApiClient(server.url), new ApiClient(server.url), new ApiClient(server.url)];
    for (const [i, u] of users.entries()) await u.signup(`slots${i}@example.com`);
    const first = (await users[0].post('/api/sessions', { profile: 'cpu' })).body;
    const second = (await users[1].post('/api/sessions', { profile: 'cpu' })).body;
    await waitFor('two ready sessions', async () => [await session(users[0], first.id), await session(users[1], second.id)], (s) => s.every((x) => x.state === 'ready'));

    const lowered = await admin.put('/api/admin/profiles/cpu', { slots: 1 });
    expect(lowered.status).toBe(200);
    expect(lowered.body.slots).toBe(1);

    const third = (await users[2].post('/api/sessions', { profile: 'cpu' })).body;
    await new Promise((r) => setTimeout(r, 1500));
    const [a, b, c] = [await session(users[0], first.id), await session(users[1], second.id), await session(users[2], third.id)];
    expect(a.state).toBe('ready');
    expect(b.state).toBe('ready');
    expect(c.state).toBe('queued');
    expect(c.queuePosition).toBe(1);
    expect(c.reason).toBe('Every cpu slot is in use; you are 1st in the queue');

    // Two stop: usage falls to 0 < 1, so the queued one starts.
    await users[0].delete(`/api/sessions/${first.id}`);
    await users[1].delete(`/api/sessions/${second.id}`);
    await waitFor('the queued session to start', () => session(users[2], third.id), (s) => s.state === 'ready');
    const capacity = (await admin.get('/api/admin/capacity')).body;
    expect(capacity.profiles.find((p: any) => p.name === 'cpu')).toMatchObject({ slots: 1, slotsUsed: 1, queued: 0 });
    expect(capacity.cluster.gpus).toBe(8);
    await users[2].delete(`/api/sessions/${third.id}`);
  });

  it('lowering slots with stopExcess stops only the newest sessions over the new limit, and says which', async () => {
    expect((await admin.put('/api/admin/profiles/cpu', { slots: 3 })).status).toBe(200);
    const users = [new ApiClient(server.url), new ApiClient(server.url), new ApiClient(server.url)];
    const ids: string[] = [];
    for (const [i, u] of users.entries()) {
      await u.signup(`excess${i}@example.com`);
      const s = (await u.post('/api/sessions', { profile: 'cpu' })).body;
      await waitFor(`session ${i} ready`, () => session(u, s.id), (x) => x.state === 'ready');
      ids.push(s.id);
    }

    const lowered = await admin.put('/api/admin/profiles/cpu', { slots: 1, stopExcess: true });
    expect(lowered.status).toBe(200);
    expect(lowered.body.slots).toBe(1);
    expect([...lowered.body.stoppedSessions].sort()).toEqual([ids[1], ids[2]].sort());

    await waitFor('the newest two stopped', async () => [await session(users[1], ids[1]), await session(users[2], ids[2])], (s) => s.every((x) => x.state === 'stopped'));
    expect((await session(users[0], ids[0])).state).toBe('ready');
    const audit = (await admin.get('/api/admin/audit?action=session.force-stop')).body;
    expect(audit.map((e: any) => e.target.id)).toEqual(expect.arrayContaining([ids[1], ids[2]]));
    await users[0].delete(`/api/sessions/${ids[0]}`);
    await waitFor('the oldest stopped', () => session(users[0], ids[0]), (x) => x.state === 'stopped');
  });

  it('a lower maximum runtime applies to new sessions; running ones keep theirs unless the admin asks', async () => {
    const user = new ApiClient(server.url);
    await user.signup('long-runner@example.com');
    const s = (await user.post('/api/sessions', { profile: 'cpu' })).body;
    await waitFor('ready', () => session(user, s.id), (x) => x.state === 'ready');
    // The session has been running for two hours (of the default four).
    const db = new Client({ connectionString: server.databaseUrl });
    await db.connect();
    await db.query(`UPDATE sessions SET started_at = now() - interval '2 hours', ready_at = now() - interval '2 hours', last_activity_at = now() WHERE id = $1`, [s.id]);
    await db.end();

    expect((await admin.put('/api/admin/quotas', { sessionMaxRuntimeMs: 3_600_000 })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 2500));
    const kept = await session(user, s.id);
    expect(kept.state).toBe('ready');
    expect(new Date(kept.stopsAt).getTime() - new Date(kept.readyAt).getTime()).toBe(4 * 3_600_000);

    const applied = await admin.put('/api/admin/quotas', { sessionMaxRuntimeMs: 3_600_000, applyToRunning: true });
    expect(applied.status).toBe(200);
    expect(applied.body.sessionMaxRuntimeMs).toBe(3_600_000);
    const stopped = await waitFor('the session past the new limit to stop', () => session(user, s.id), (x) => x.state === 'stopped');
    expect(stopped.events.map((e: any) => e.reason)).toContain('max-runtime');
    const audit = (await admin.get('/api/admin/audit?action=quotas.update')).body;
    expect(audit[0].details).toMatchObject({ applyToRunning: true, sessionsUpdated: 1 });

    // A new session gets the new limit.
    const next = (await user.post('/api/sessions', { profile: 'cpu' })).body;
    const ready = await waitFor('the new session ready', () => session(user, next.id), (x) => x.state === 'ready');
    expect(new Date(ready.stopsAt).getTime() - new Date(ready.readyAt).getTime()).toBe(3_600_000);
    await user.delete(`/api/sessions/${next.id}`);
    await waitFor('stopped', () => session(user, next.id), (x) => x.state === 'stopped');
    expect((await admin.put('/api/admin/quotas', { sessionMaxRuntimeMs: 4 * 3_600_000 })).status).toBe(200);
  });

  it('suspending a user stops their sessions and blocks log-in; reinstating lets them back', async () => {
    const user = new ApiClient(server.url);
    const { user: u } = await user.signup('suspect@example.com', 'suspect-password');
    const s = (await user.post('/api/sessions', { profile: 'cpu' })).body;
    await waitFor('ready', () => session(user, s.id), (x) => x.state === 'ready');
    const r = await admin.post(`/api/admin/users/${u.id}/suspend`, { reason: 'crypto mining' });
    expect(r.status).toBe(200);
    expect(r.body.user).toMatchObject({ suspended: true, suspendedReason: 'crypto mining' });
    expect((await user.get('/api/auth/me')).status).toBe(401);
    const login = await new ApiClient(server.url).post('/api/auth/login', { email: 'suspect@example.com', password: 'suspect-password' });
    expect(login.status).toBe(403);
    await waitFor('the session to stop', () => admin.get(`/api/sessions/${s.id}`).then((x) => x.body), (x) => x.state === 'stopped');
    expect((await admin.post(`/api/admin/users/${u.id}/reinstate`)).status).toBe(200);
    expect((await new ApiClient(server.url).post('/api/auth/login', { email: 'suspect@example.com', password: 'suspect-password' })).status).toBe(200);
  });

  it('manages trials: extend, end, grant another; the waitlist admits on demand', async () => {
    const user = new ApiClient(server.url);
    const { user: u } = await user.signup('trialist@example.com');
    const before = (await user.get('/api/trial')).body;
    const extended = await admin.post(`/api/admin/users/${u.id}/trial/extend`, { hours: 2 });
    expect(extended.status).toBe(200);
    expect(Date.parse((await user.get('/api/trial')).body.expiresAt) - Date.parse(before.expiresAt)).toBe(2 * 3600_000);
    expect((await admin.post(`/api/admin/users/${u.id}/trials`)).status).toBe(409);
    expect((await admin.post(`/api/admin/users/${u.id}/trial/end`)).status).toBe(200);
    expect((await user.get('/api/trial')).body).toMatchObject({ state: 'ended', endReason: 'admin' });
    expect((await admin.post(`/api/admin/users/${u.id}/trials`)).status).toBe(201);
    expect((await user.get('/api/trial')).body.state).toBe('active');

    // Waitlist: cap active trials at the current count, so new sign-ups wait.
    const active = (await admin.get('/api/admin/users?limit=500')).body.filter((x: any) => x.trial?.state === 'active').length;
    expect((await admin.put('/api/admin/quotas', { maxActiveTrials: active })).status).toBe(200);
    const waiting = [new ApiClient(server.url), new ApiClient(server.url), new ApiClient(server.url)];
    for (const [i, w] of waiting.entries()) await w.signup(`waiting${i}@example.com`);
    const list = (await admin.get('/api/admin/waitlist')).body;
    expect(list.map((x: any) => x.email)).toEqual(['waiting0@example.com', 'waiting1@example.com', 'waiting2@example.com']);
    expect((await admin.post('/api/admin/waitlist/admit', { count: 2 })).body.admitted).toHaveLength(2);
    expect((await waiting[0].get('/api/trial')).body.state).toBe('active');
    expect((await waiting[1].get('/api/trial')).body.state).toBe('active');
    expect((await waiting[2].get('/api/trial')).body).toMatchObject({ state: 'waitlisted', position: 1 });
    expect((await admin.post('/api/admin/waitlist/admit', { trialId: list[2].trialId })).status).toBe(200);
    expect((await waiting[2].get('/api/trial')).body.state).toBe('active');
    await admin.put('/api/admin/quotas', { maxActiveTrials: null });
  });

  it('refuses bad quota values with the field named', async () => {
    const r = await admin.put('/api/admin/quotas', { sessionsPerUser: -1, allowedEmailDomains: ['not a domain'], bogus: 1 });
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/sessionsPerUser/);
    expect(r.body.message).toMatch(/allowedEmailDomains/);
    expect(r.body.message).toMatch(/Unknown field "bogus"/);
  });

  it('blocks sign-ups from blocked email domains and lists the sessions, usage and a CSV export', async () => {
    expect((await admin.put('/api/admin/quotas', { blockedEmailDomains: ['spam.example'] })).status).toBe(200);
    const refused = await new ApiClient(server.url).post('/api/auth/signup', { email: 'x@spam.example', password: 'long-password-1' });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toMatch(/spam\.example/);
    await admin.put('/api/admin/quotas', { blockedEmailDomains: [] });

    const usage = await admin.get('/api/admin/usage?days=3');
    expect(usage.status).toBe(200);
    expect(usage.body).toHaveLength(3);
    const today = usage.body[2];
    expect(today.sessions).toBeGreaterThanOrEqual(4);
    expect(today.profiles.cpu.sessions).toBeGreaterThanOrEqual(4);
    const csv = await admin.get('/api/admin/usage?days=3&format=csv');
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    expect(csv.text.split('\n')[0]).toMatch(/^day,trials_started,sessions,gpu_hours,/);
    expect((await admin.get('/api/admin/sessions')).status).toBe(200);
  });

  it('records every admin action, and sign-ups, launches and teardowns, in a filterable audit log', async () => {
    const all = (await admin.get('/api/admin/audit?limit=1000')).body;
    const actions = new Set(all.map((e: any) => e.action));
    for (const a of ['user.signup', 'session.launch', 'session.stop', 'profile.update', 'user.suspend', 'user.reinstate', 'trial.extend', 'trial.end', 'trial.grant', 'trial.admit', 'quotas.update', 'session.force-stop']) {
      expect(actions, `audit has ${a}`).toContain(a);
    }
    const suspends = (await admin.get('/api/admin/audit?action=user.suspend')).body;
    expect(suspends).toHaveLength(1);
    expect(suspends[0]).toMatchObject({ actor: { email: ADMIN.email }, target: { type: 'user' }, details: { reason: 'crypto mining' } });
    const byActor = (await admin.get(`/api/admin/audit?actor=${ADMIN.email}`)).body;
    expect(byActor.every((e: any) => e.actor.email === ADMIN.email)).toBe(true);

    // Paging: pages of 5, each older than the last id of the one before, add up to the whole log.
    const pages: any[] = [];
    let before: string | undefined;
    for (;;) {
      const page = (await admin.get(`/api/admin/audit?limit=5${before ? `&before=${before}` : ''}`)).body;
      pages.push(...page);
      if (page.length < 5) break;
      before = page.at(-1).id;
    }
    expect(pages.map((e) => e.id)).toEqual(all.map((e: any) => e.id));
    const bad = await admin.get('/api/admin/audit?before=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/before must be an audit event id/);
  });
});
