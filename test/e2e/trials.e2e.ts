import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/http';
import { startMailbox } from '../support/mailbox';
import { startTestServer, TestServer } from '../support/server';

const waitUntil = async <T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 10_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe('24-hour trials', () => {
  let server: TestServer;
  afterEach(async () => {
    await server?.stop();
  });

  it('starts a trial at sign-up that expires after TRIAL_DURATION', async () => {
    server = await startTestServer();
    const api = new ApiClient(server.url);
    const before = Date.now();
    await api.signup('turing@example.com');
    const r = await api.get('/api/trial');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ state: 'active', position: null, endReason: null });
    const expires = Date.parse(r.body.expiresAt);
    const activated = Date.parse(r.body.activatedAt);
    expect(expires - activated).toBe(24 * 3600 * 1000);
    expect(activated).toBeGreaterThanOrEqual(before - 1000);
    expect(r.body.secondsLeft).toBeGreaterThan(24 * 3600 - 10);
    expect(r.body.secondsLeft).toBeLessThanOrEqual(24 * 3600);
  });

  it('waitlists sign-ups beyond MAX_ACTIVE_TRIALS and admits them first-in first-out as trials end', async () => {
    server = await startTestServer({ MAX_ACTIVE_TRIALS: '2' });
    const users = await Promise.all(['a', 'b', 'c', 'd', 'e'].map(() => new ApiClient(server.url)));
    for (const [i, u] of users.entries()) await u.signup(`user${i}@example.com`);
    const states = await Promise.all(users.map((u) => u.get('/api/trial').then((r) => r.body)));
    expect(states.map((s) => s.state)).toEqual(['active', 'active', 'waitlisted', 'waitlisted', 'waitlisted']);
    expect(states.slice(2).map((s) => s.position)).toEqual([1, 2, 3]);
    expect(states[2].expiresAt).toBeNull();

    // user0 ends early: user2 (first in line) is admitted, the others move up.
    const ended = await users[0].delete('/api/trial');
    expect(ended.status).toBe(200);
    expect(ended.body).toMatchObject({ state: 'ended', endReason: 'user' });
    const after = await Promise.all(users.map((u) => u.get('/api/trial').then((r) => r.body)));
    expect(after.map((s) => s.state)).toEqual(['ended', 'active', 'active', 'waitlisted', 'waitlisted']);
    expect(after.slice(3).map((s) => s.position)).toEqual([1, 2]);
    expect(Date.parse(after[2].expiresAt) - Date.parse(after[2].activatedAt)).toBe(24 * 3600 * 1000);

    // Ending again is refused with a clear message.
    const again = await users[0].delete('/api/trial');
    expect(again.status).toBe(404);
    expect(again.body.message).toMatch(/no running or waiting trial/);
  });

  it('ends trials at expiresAt by the scheduler and admits the next one', async () => {
    server = await startTestServer({ TRIAL_DURATION: '1s', MAX_ACTIVE_TRIALS: '1' });
    const first = new ApiClient(server.url);
    const second = new ApiClient(server.url);
    await first.signup('first@example.com');
    await second.signup('second@example.com');
    expect((await second.get('/api/trial')).body.state).toBe('waitlisted');
    const ended = await waitUntil(() => first.get('/api/trial').then((r) => r.body), (t) => t.state === 'ended');
    expect(ended.endReason).toBe('expired');
    expect(Date.parse(ended.endedAt)).toBeGreaterThanOrEqual(Date.parse(ended.expiresAt));
    const admitted = await waitUntil(() => second.get('/api/trial').then((r) => r.body), (t) => t.state !== 'waitlisted');
    expect(['active', 'ended']).toContain(admitted.state);
    expect(admitted.activatedAt).not.toBeNull();
  });

  it('mails a warning once, an hour before the trial ends', async () => {
    const mailbox = await startMailbox();
    try {
      server = await startTestServer({ TRIAL_DURATION: '50m', SMTP_URL: mailbox.url, EMAIL_VERIFICATION: 'off' });
      await new ApiClient(server.url).signup('soon@example.com');
      const mail = await mailbox.waitFor((m) => m.to.includes('soon@example.com') && /less than an hour/.test(m.subject));
      expect(mail.text).toMatch(/Save what you want to keep/);
      await new Promise((r) => setTimeout(r, 1000));
      expect(mailbox.mails.filter((m) => /less than an hour/.test(m.subject))).toHaveLength(1);
    } finally {
      await mailbox.close();
    }
  });
});

describe('health, metrics and docs', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.stop());

  it('answers /healthz, /readyz, /metrics and /api/docs', async () => {
    const api = new ApiClient(server.url);
    expect((await api.get('/healthz')).body).toEqual({ status: 'ok' });
    expect((await api.get('/readyz')).body).toMatchObject({ status: 'ok', database: 'ok' });
    const metrics = await api.get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toMatch(/^# HELP trialhub_process_/m);
    const docs = await api.get('/api/docs/openapi.json');
    expect(docs.status).toBe(200);
    expect(Object.keys(docs.body.paths)).toEqual(expect.arrayContaining(['/api/auth/signup', '/api/auth/login', '/api/trial']));
  });

  it('tags every response with a request id and echoes a sane incoming one', async () => {
    const api = new ApiClient(server.url);
    const r = await api.get('/api/auth/me', { 'x-request-id': 'trace-123' });
    expect(r.headers.get('x-request-id')).toBe('trace-123');
    expect(r.body.requestId).toBe('trace-123');
  });
});
