import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from 'pg';
import { ApiClient, setCookies } from '../support/http';
import { startMailbox } from '../support/mailbox';
import { startTestServer, TestServer } from '../support/server';

const tokenFrom = (text: string, path: string) => new RegExp(`${path}\\?token=([\\w-]+)`).exec(text)?.[1];

describe('accounts', () => {
  let server: TestServer;
  let mailbox: Awaited<ReturnType<typeof startMailbox>>;

  beforeAll(async () => {
    mailbox = await startMailbox();
    server = await startTestServer({ SMTP_URL: mailbox.url, ADMIN_EMAIL: 'Root@Example.com', ADMIN_PASSWORD: 'admin-password-1' });
  });
  afterAll(async () => {
    await server?.stop();
    await mailbox?.close();
  });

  it('signs up with verification required: "check your inbox", the mail, and log-in gives the session cookie, CSRF cookie and bearer token', async () => {
    const api = new ApiClient(server.url);
    const r = await api.post('/api/auth/signup', { email: 'Ada@Example.com', password: 'analytical-engine' });
    expect(r.status).toBe(202);
    expect(r.body).toEqual({ pending: true, message: expect.stringMatching(/Check your inbox at ada@example\.com/) });
    expect(setCookies(r.headers)).toEqual([]);
    await mailbox.waitFor((m) => m.to.includes('ada@example.com') && /Verify/.test(m.subject));
    const login = await api.post('/api/auth/login', { email: 'ada@example.com', password: 'analytical-engine' });
    expect(login.status).toBe(200);
    expect(login.body.user).toMatchObject({ email: 'ada@example.com', role: 'user', verified: false, suspended: false, verificationRequired: true });
    expect(login.body.token).toMatch(/^[\w-]{40,}$/);
    const cookies = setCookies(login.headers);
    const session = cookies.find((c) => c.startsWith('trialhub_session='))!;
    expect(session).toMatch(/HttpOnly/i);
    expect(session).toMatch(/SameSite=Lax/i);
    expect(cookies.some((c) => c.startsWith('trialhub_csrf='))).toBe(true);
    const me = await api.get('/api/auth/me');
    expect(me.status).toBe(200);
    expect(me.body.user.email).toBe('ada@example.com');
    const bearer = new ApiClient(server.url);
    bearer.bearer = login.body.token;
    expect((await bearer.get('/api/auth/me')).body.user.id).toBe(login.body.user.id);
  });

  it('answers a second sign-up with the same email in any letter case as a new one, and mails the owner instead', async () => {
    const api = new ApiClient(server.url);
    await api.signup('grace@example.com');
    const again = await new ApiClient(server.url).post('/api/auth/signup', { email: 'GRACE@example.COM', password: 'another-password' });
    const fresh = await new ApiClient(server.url).post('/api/auth/signup', { email: 'hopper@example.com', password: 'another-password' });
    expect(again.status).toBe(202);
    expect(again.body).toEqual({ ...fresh.body, message: fresh.body.message.replace('hopper@example.com', 'grace@example.com') });
    const mail = await mailbox.waitFor((m) => m.to.includes('grace@example.com') && /Someone tried to sign up/.test(m.subject));
    expect(mail.text).toMatch(/already has one, so nothing was changed/);
    // The old password still works: nothing about the account changed.
    expect((await new ApiClient(server.url).post('/api/auth/login', { email: 'grace@example.com', password: 'correct-horse-battery' })).status).toBe(200);
    expect((await new ApiClient(server.url).post('/api/auth/login', { email: 'grace@example.com', password: 'another-password' })).status).toBe(401);
  });

  it('verifies the email address with the link from the mail', async () => {
    const api = new ApiClient(server.url);
    await api.signup('linus@example.com');
    const mail = await mailbox.waitFor((m) => m.to.includes('linus@example.com') && /Verify/.test(m.subject));
    const token = tokenFrom(mail.text, 'verify-email');
    expect(token).toBeTruthy();
    expect((await api.post('/api/auth/verify', { token: 'not-a-real-token' })).status).toBe(400);
    const ok = await api.post('/api/auth/verify', { token });
    expect(ok.status).toBe(200);
    expect((await api.get('/api/auth/me')).body.user.verified).toBe(true);
    const reused = await api.post('/api/auth/verify', { token });
    expect(reused.status).toBe(400);
    expect(reused.body.message).toMatch(/invalid, used or expired/);
  });

  it('logs in and out; after log-out the token no longer works', async () => {
    await new ApiClient(server.url).signup('margaret@example.com', 'apollo-guidance');
    const api = new ApiClient(server.url);
    expect((await api.post('/api/auth/login', { email: 'margaret@example.com', password: 'wrong-password' })).status).toBe(401);
    const r = await api.post('/api/auth/login', { email: 'MARGARET@example.com', password: 'apollo-guidance' });
    expect(r.status).toBe(200);
    const token = r.body.token;
    expect((await api.post('/api/auth/logout')).status).toBe(204);
    expect((await api.get('/api/auth/me')).status).toBe(401);
    const bearer = new ApiClient(server.url);
    bearer.bearer = token;
    expect((await bearer.get('/api/auth/me')).status).toBe(401);
  });

  it('requires the CSRF token for cookie-authenticated writes, not for bearer ones', async () => {
    const api = new ApiClient(server.url);
    const { token } = await api.signup('csrf@example.com');
    const noCsrf = await api.request('POST', '/api/auth/logout', {}, { 'x-csrf-token': 'forged' });
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.body.message).toMatch(/CSRF/);
    const bearer = new ApiClient(server.url);
    bearer.bearer = token;
    expect((await bearer.post('/api/auth/logout')).status).toBe(204);
  });

  it('resets a forgotten password by mail and ends the old log-ins', async () => {
    const api = new ApiClient(server.url);
    const { token: oldToken } = await api.signup('barbara@example.com', 'first-password');
    const unknown = await api.post('/api/auth/password-reset', { email: 'nobody@example.com' });
    expect(unknown.status).toBe(202);
    const r = await api.post('/api/auth/password-reset', { email: 'barbara@example.com' });
    expect(r.status).toBe(202);
    const mail = await mailbox.waitFor((m) => m.to.includes('barbara@example.com') && /Reset/.test(m.subject));
    const token = tokenFrom(mail.text, 'reset-password')!;
    expect((await api.post('/api/auth/password-reset', { token, password: 'short' })).status).toBe(400);
    expect((await api.post('/api/auth/password-reset', { token, password: 'second-password' })).status).toBe(202);
    const old = new ApiClient(server.url);
    old.bearer = oldToken;
    expect((await old.get('/api/auth/me')).status).toBe(401);
    const fresh = new ApiClient(server.url);
    expect((await fresh.post('/api/auth/login', { email: 'barbara@example.com', password: 'first-password' })).status).toBe(401);
    expect((await fresh.post('/api/auth/login', { email: 'barbara@example.com', password: 'second-password' })).status).toBe(200);
    expect((await fresh.post('/api/auth/password-reset', { token, password: 'third-password' })).status).toBe(400);
  });

  it('changes the password with the current one', async () => {
    const api = new ApiClient(server.url);
    await api.signup('ken@example.com', 'unix-v7-password-1973');
    expect((await api.put('/api/auth/password', { currentPassword: 'nope-nope', newPassword: 'plan9-password' })).status).toBe(400);
    expect((await api.put('/api/auth/password', { currentPassword: 'unix-v7-password-1973', newPassword: 'plan9-password' })).status).toBe(200);
    expect((await new ApiClient(server.url).post('/api/auth/login', { email: 'ken@example.com', password: 'plan9-password' })).status).toBe(200);
  });

  it('creates or updates the bootstrap admin at start', async () => {
    const api = new ApiClient(server.url);
    const r = await api.post('/api/auth/login', { email: 'root@example.com', password: 'admin-password-1' });
    expect(r.status).toBe(200);
    expect(r.body.user).toMatchObject({ role: 'admin', verified: true });
  });

  it('blocks suspended users from logging in and from using existing log-ins', async () => {
    const api = new ApiClient(server.url);
    const { user, token } = await api.signup('mallory@example.com', 'mallory-password');
    const db = new Client({ connectionString: server.databaseUrl });
    await db.connect();
    await db.query('UPDATE users SET suspended_at = now() WHERE id = $1', [user.id]);
    await db.end();
    const login = await new ApiClient(server.url).post('/api/auth/login', { email: 'mallory@example.com', password: 'mallory-password' });
    expect(login.status).toBe(403);
    expect(login.body.message).toMatch(/suspended/);
    const bearer = new ApiClient(server.url);
    bearer.bearer = token;
    expect((await bearer.get('/api/auth/me')).status).toBe(403);
  });

  describe('bad input gets a 4xx JSON answer a person can act on', () => {
    const cases: Array<[string, () => Promise<{ status: number; body: any }>, number, RegExp]> = [
      ['missing fields', () => new ApiClient(server.url).post('/api/auth/signup', {}), 400, /^Enter your email address\. Choose a password\.$/],
      ['a bad email', () => new ApiClient(server.url).post('/api/auth/signup', { email: 'not-an-email', password: 'long-enough-1' }), 400, /not a whole email address: write it like ada@example\.com/],
      ['a short password', () => new ApiClient(server.url).post('/api/auth/signup', { email: 'short@example.com', password: '1234' }), 400, /at least 8 characters/],
      ['an unknown field', () => new ApiClient(server.url).post('/api/auth/signup', { email: 'u@example.com', password: 'long-enough-1', admin: true }), 400, /Unknown field "admin"/],
      ['a non-string password', () => new ApiClient(server.url).post('/api/auth/login', { email: 'x@example.com', password: 12345678 }), 400, /Enter your password/],
      ['log-in without fields', () => new ApiClient(server.url).post('/api/auth/login', {}), 400, /^Enter your email address\. Enter your password\.$/],
      ['log-in with an empty password', () => new ApiClient(server.url).post('/api/auth/login', { email: 'x@example.com', password: ' ' }), 400, /^Enter your password\.$/],
      ['log-in with an unknown field', () => new ApiClient(server.url).post('/api/auth/login', { email: 'x@example.com', password: 'long-enough-1', remember: true }), 400, /Unknown field "remember"/],
      ['malformed JSON', () => new ApiClient(server.url).request('POST', '/api/auth/login', '{"email":', { 'content-type': 'application/json' }), 400, /not valid JSON/],
      ['the wrong content type', () => new ApiClient(server.url).request('POST', '/api/auth/login', 'email=a', { 'content-type': 'application/x-www-form-urlencoded' }), 415, /application\/json/],
      ['an oversized body', () => new ApiClient(server.url).post('/api/auth/signup', { email: 'big@example.com', password: 'x'.repeat(2_000_000) }), 413, /too large/],
      ['no log-in', () => new ApiClient(server.url).get('/api/auth/me'), 401, /Log in/],
    ];
    for (const [name, send, status, message] of cases) {
      it(name, async () => {
        const r = await send();
        expect(r.status).toBe(status);
        expect(r.body).toMatchObject({ statusCode: status });
        expect(r.body.message).toMatch(message);
      });
    }
  });
});

describe('rate limiting', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ AUTH_RATE_LIMIT: '3/1m' });
  });
  afterAll(() => server?.stop());

  it('limits log-in attempts per address and email with 429 and a wait hint', async () => {
    await new ApiClient(server.url).signup('victim@example.com', 'victim-password');
    const api = new ApiClient(server.url);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await api.post('/api/auth/login', { email: 'victim@example.com', password: 'guess-' + i })).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    const limited = await api.post('/api/auth/login', { email: 'victim@example.com', password: 'victim-password' });
    expect(limited.status).toBe(429);
    expect(limited.body.message).toMatch(/Wait \d+ seconds/);
    // Another account from the same address is not locked out by that.
    await new ApiClient(server.url).signup('other@example.com', 'other-password');
    expect((await api.post('/api/auth/login', { email: 'other@example.com', password: 'other-password' })).status).toBe(200);
  });

  it('limits sign-ups per address', async () => {
    const api = new ApiClient(server.url);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await api.post('/api/auth/signup', { email: `flood${i}@example.com`, password: 'flood-password' })).status);
    expect(statuses).toContain(429);
  });
});
