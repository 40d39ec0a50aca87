import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, setCookies } from '../support/http';
import { startMailbox } from '../support/mailbox';
import { startTestServer, TestServer } from '../support/server';

const STRONG = 'walker-ladder-quietly-47';
const tokenFrom = (text: string, path: string) => new RegExp(`${path}\\?token=([\\w-]+)`).exec(text)?.[1];

describe('passwords: common and guessable ones are refused with a reason', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.stop());

  const signup = (email: string, password: string) => new ApiClient(server.url).post('/api/auth/signup', { email, password });

  for (const [password, reason] of [
    ['password', /too easy to guess: this is a heavily used password\. Add more words that are less common\./],
    ['password123', /too easy to guess: this is a commonly used password\./],
    ['iloveyou', /too easy to guess: this is a frequently used password\./],
    ['qwertyuiop', /too easy to guess/],
  ] as const) {
    it(`refuses "${password}" and says why, beside the password field`, async () => {
      const r = await signup(`weak-${password}@example.com`, password);
      expect(r.status).toBe(400);
      expect(r.body.message).toMatch(reason);
      expect(r.body.fields).toEqual({ password: [expect.stringMatching(reason)] });
      expect(r.body.message).not.toMatch(/must be|should/);
    });
  }

  it('accepts a strong password', async () => {
    expect((await signup('strong@example.com', STRONG)).status).toBe(201);
  });

  it('refuses a password made of the account’s own email', async () => {
    const r = await signup('walker.texas@example.com', 'walker.texas@example.com');
    expect(r.status).toBe(400);
    expect(r.body.fields.password[0]).toMatch(/too easy to guess/);
  });

  it('answers every problem of a body at once, each beside its field, in plain words', async () => {
    const r = await signup('walker@', 'password');
    expect(r.status).toBe(400);
    expect(r.body.fields).toEqual({
      email: ['This is not a whole email address: write it like ada@example.com.'],
      password: [expect.stringMatching(/^This password is too easy to guess/)],
    });
    expect(r.body.details).toHaveLength(2);
    // `message` stays one readable sentence (or two) for clients that show only that.
    expect(r.body.message).toBe(r.body.details.join(' '));
    const short = await signup('', 'abc');
    expect(short.body.fields).toEqual({ email: ['Enter your email address.'], password: [expect.stringMatching(/^Use at least 8 characters/)] });
  });

  it('applies to a password change too', async () => {
    const api = new ApiClient(server.url);
    await api.signup('changer@example.com', STRONG);
    const weak = await api.put('/api/auth/password', { currentPassword: STRONG, newPassword: 'password123' });
    expect(weak.status).toBe(400);
    expect(weak.body.fields).toEqual({ newPassword: [expect.stringMatching(/too easy to guess/)] });
    const wrong = await api.put('/api/auth/password', { currentPassword: 'not-my-password', newPassword: 'thunder-lemon-piano' });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toMatchObject({ message: 'The current password is wrong.', fields: { currentPassword: ['The current password is wrong.'] } });
    expect((await api.put('/api/auth/password', { currentPassword: STRONG, newPassword: 'thunder-lemon-piano' })).status).toBe(200);
  });
});

describe('accounts with email verification required: nothing tells which addresses have accounts', () => {
  let server: TestServer;
  let mailbox: Awaited<ReturnType<typeof startMailbox>>;
  beforeAll(async () => {
    mailbox = await startMailbox();
    server = await startTestServer({ SMTP_URL: mailbox.url });
    await new ApiClient(server.url).signup('owner@example.com', STRONG);
  });
  afterAll(async () => {
    await server?.stop();
    await mailbox?.close();
  });

  const withoutAddress = (body: { message: string }, email: string) => ({ ...body, message: body.message.replace(email, '<address>') });

  it('answers sign-up with an existing and a new address alike; the owner and the newcomer each get their mail', async () => {
    const existing = await new ApiClient(server.url).post('/api/auth/signup', { email: 'owner@example.com', password: 'thunder-lemon-piano' });
    const fresh = await new ApiClient(server.url).post('/api/auth/signup', { email: 'newcomer@example.com', password: 'thunder-lemon-piano' });
    expect(existing.status).toBe(fresh.status);
    expect(existing.status).toBe(202);
    expect(withoutAddress(existing.body, 'owner@example.com')).toEqual(withoutAddress(fresh.body, 'newcomer@example.com'));
    expect(setCookies(existing.headers)).toEqual(setCookies(fresh.headers));
    const told = await mailbox.waitFor((m) => m.to.includes('owner@example.com') && /Someone tried to sign up/.test(m.subject));
    expect(told.text).toMatch(/\/login/);
    await mailbox.waitFor((m) => m.to.includes('newcomer@example.com') && /Verify/.test(m.subject));
  });

  it('lets the owner take the account back with the reset link in that mail', async () => {
    await new ApiClient(server.url).post('/api/auth/signup', { email: 'forgetful@example.com', password: STRONG });
    await new ApiClient(server.url).post('/api/auth/signup', { email: 'forgetful@example.com', password: 'thunder-lemon-piano' });
    const told = await mailbox.waitFor((m) => m.to.includes('forgetful@example.com') && /Someone tried/.test(m.subject));
    const token = tokenFrom(told.text, 'reset-password')!;
    const weak = await new ApiClient(server.url).post('/api/auth/password-reset', { token, password: 'password' });
    expect(weak.status).toBe(400);
    expect(weak.body.fields).toEqual({ password: [expect.stringMatching(/too easy to guess/)] });
    expect((await new ApiClient(server.url).post('/api/auth/password-reset', { token, password: 'thunder-lemon-piano' })).status).toBe(202);
    const login = await new ApiClient(server.url).post('/api/auth/login', { email: 'forgetful@example.com', password: 'thunder-lemon-piano' });
    expect(login.body.user).toMatchObject({ verified: true, verificationRequired: true });
  });

  it('answers a reset request for an existing and an unknown address alike; only the owner gets a mail', async () => {
    const existing = await new ApiClient(server.url).post('/api/auth/password-reset', { email: 'owner@example.com' });
    const unknown = await new ApiClient(server.url).post('/api/auth/password-reset', { email: 'stranger@example.com' });
    expect(existing.status).toBe(202);
    expect({ status: unknown.status, body: unknown.body }).toEqual({ status: existing.status, body: existing.body });
    await mailbox.waitFor((m) => m.to.includes('owner@example.com') && /Reset/.test(m.subject));
    expect(mailbox.mails.some((m) => m.to.includes('stranger@example.com'))).toBe(false);
  });
});

describe('accounts with email verification off', () => {
  let server: TestServer;
  let mailbox: Awaited<ReturnType<typeof startMailbox>>;
  beforeAll(async () => {
    mailbox = await startMailbox();
    server = await startTestServer({ SMTP_URL: mailbox.url, EMAIL_VERIFICATION: 'off' });
  });
  afterAll(async () => {
    await server?.stop();
    await mailbox?.close();
  });

  it('signs up with a session cookie, a CSRF cookie and a bearer token, and says verification is not required (not "verified")', async () => {
    const api = new ApiClient(server.url);
    const r = await api.post('/api/auth/signup', { email: 'Ada@Example.com', password: 'analytical-engine' });
    expect(r.status).toBe(201);
    expect(r.body.user).toMatchObject({ email: 'ada@example.com', role: 'user', verified: false, verificationRequired: false, suspended: false });
    expect(r.body.token).toMatch(/^[\w-]{40,}$/);
    const cookies = setCookies(r.headers);
    expect(cookies.find((c) => c.startsWith('trialhub_session='))).toMatch(/HttpOnly.*SameSite=Lax|SameSite=Lax.*HttpOnly/i);
    expect(cookies.some((c) => c.startsWith('trialhub_csrf='))).toBe(true);
    expect((await api.get('/api/auth/me')).body.user).toMatchObject({ verified: false, verificationRequired: false });
    const resend = await api.post('/api/auth/verify/resend');
    expect(resend.status).toBe(400);
    expect(resend.body.message).toMatch(/not required here/);
  });

  it('refuses an existing address (409; sign-up reveals it in this mode, as the README says) and mails its owner', async () => {
    await new ApiClient(server.url).signup('grace@example.com');
    const again = await new ApiClient(server.url).post('/api/auth/signup', { email: 'GRACE@example.COM', password: 'another-password' });
    expect(again.status).toBe(409);
    expect(again.body.message).toMatch(/already exists/);
    await mailbox.waitFor((m) => m.to.includes('grace@example.com') && /Someone tried to sign up/.test(m.subject));
  });
});
