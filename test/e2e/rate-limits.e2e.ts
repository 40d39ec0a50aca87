import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { RateLimitCountersRepository } from '../../apps/control-plane/src/rate-limits/rate-limit-counters.repository';
import { ApiClient } from '../support/http';
import { startTestServer, TestServer } from '../support/server';

interface Answer { status: number; body: any; headers: Record<string, string | string[] | undefined> }

/** A JSON POST from a chosen loopback address (127.0.0.0/8 is all this machine), with extra headers. */
function post(url: string, path: string, body: unknown, opts: { from?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  const target = new URL(path, url);
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', localAddress: opts.from, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data), ...opts.headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null, headers: res.headers });
        });
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

/** A reverse proxy like an Ingress controller: it appends the address it was reached from to X-Forwarded-For. */
async function startAppendingProxy(upstream: string): Promise<{ url: string; close(): Promise<void> }> {
  const target = new URL(upstream);
  const server: Server = createServer((req, res) => {
    const forwarded = [req.headers['x-forwarded-for'], req.socket.remoteAddress].filter(Boolean).join(', ');
    const up = request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: { ...req.headers, 'x-forwarded-for': forwarded } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const LIMIT = { AUTH_RATE_LIMIT: '3/1m' };
const login = (url: string, email: string, password: string, opts?: Parameters<typeof post>[3]) => post(url, '/api/auth/login', { email, password }, opts);
const spoofed = (i: number) => ({ 'x-forwarded-for': `203.0.113.${i}` });

describe('rate limits: the log-in limit holds against a spoofed X-Forwarded-For', () => {
  describe('with TRUST_PROXY unset', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer(LIMIT);
      await new ApiClient(server.url).signup('victim@example.com');
    });
    afterAll(() => server?.stop());

    it('counts the connecting address, whatever X-Forwarded-For says', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await login(server.url, 'victim@example.com', `guess-${i}`, { from: '127.0.0.2', headers: spoofed(i) })).status);
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
    });

    it('does not lock the victim out from their own address, however long the attacker keeps going', async () => {
      // 40 refused attempts from the attacker's address: past the per-email ceiling (10 × 3) if refused attempts counted there.
      for (let i = 0; i < 40; i++) await login(server.url, 'victim@example.com', `more-${i}`, { from: '127.0.0.2' });
      const own = await login(server.url, 'victim@example.com', 'correct-horse-battery', { from: '127.0.0.3' });
      expect(own.status).toBe(200);
    });
  });

  describe('with TRUST_PROXY=1 behind a proxy that appends the client address', () => {
    let server: TestServer;
    let proxy: Awaited<ReturnType<typeof startAppendingProxy>>;
    beforeAll(async () => {
      server = await startTestServer({ ...LIMIT, TRUST_PROXY: '1' });
      proxy = await startAppendingProxy(server.url);
      await new ApiClient(server.url).signup('victim@example.com');
    });
    afterAll(async () => {
      await proxy?.close();
      await server?.stop();
    });

    it('counts only the hop the proxy appended: a spoofed header on the left changes nothing', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await login(proxy.url, 'victim@example.com', `guess-${i}`, { from: '127.0.0.2', headers: spoofed(i) })).status);
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
    });

    it('tells another client, through the same proxy, apart by the hop the proxy appended', async () => {
      expect((await login(proxy.url, 'victim@example.com', 'correct-horse-battery', { from: '127.0.0.3' })).status).toBe(200);
    });
  });
});

describe('rate limits: two replicas share one limit', () => {
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    a = await startTestServer(LIMIT);
    b = await startTestServer({ ...LIMIT, DATABASE_URL: a.databaseUrl });
    await new ApiClient(a.url).signup('shared@example.com');
  });
  afterAll(async () => {
    await b?.stop();
    await a?.stop();
  });

  it('refuses the fourth attempt whichever replica the attempts went to', async () => {
    const statuses: number[] = [];
    for (const [i, replica] of [a, b, a, b, a].entries()) statuses.push((await login(replica.url, 'shared@example.com', `guess-${i}`)).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    expect((await login(b.url, 'shared@example.com', 'correct-horse-battery')).status).toBe(429);
  });

  it('counts concurrent attempts on both replicas exactly (one atomic upsert per attempt)', async () => {
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => login((i % 2 ? a : b).url, 'burst@example.com', 'whatever-1', { from: '127.0.0.4' })));
    expect(answers.filter((r) => r.status === 401)).toHaveLength(3);
    expect(answers.filter((r) => r.status === 429)).toHaveLength(7);
  });
});

describe('rate limits: every limited route', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(LIMIT);
  });
  afterAll(() => server?.stop());

  /** Sends `attempt(i)` until a 429; expects the limit (3) passed first, then Retry-After and a sentence saying how long. */
  async function expectLimited(attempt: (i: number) => Promise<Answer>, allowedStatus: number, what: RegExp): Promise<void> {
    const answers: Answer[] = [];
    for (let i = 0; i < 4; i++) answers.push(await attempt(i));
    expect(answers.slice(0, 3).map((r) => r.status)).toEqual([allowedStatus, allowedStatus, allowedStatus]);
    const limited = answers[3];
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(limited.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
    expect(limited.body.message).toMatch(what);
    expect(limited.body.message).toMatch(new RegExp(`Wait ${limited.headers['retry-after']} seconds? and try again\\.`));
  }

  it('sign-up, per address', () => expectLimited((i) => post(server.url, '/api/auth/signup', { email: `flood${i}@example.com`, password: 'correct-horse-battery' }, { from: '127.0.0.5' }), 201, /Too many sign-ups/));

  it('log-in, per address and email', () => expectLimited((i) => login(server.url, 'nobody@example.com', `guess-${i}`, { from: '127.0.0.6' }), 401, /Too many log-in attempts/));

  it('password reset requests', () => expectLimited(() => post(server.url, '/api/auth/password-reset', { email: 'nobody@example.com' }, { from: '127.0.0.7' }), 202, /Too many password reset requests/));

  it('password reset confirmations', () => expectLimited((i) => post(server.url, '/api/auth/password-reset', { token: `not-a-token-${i}`, password: 'walker-ladder-quietly-47' }, { from: '127.0.0.8' }), 400, /Too many password reset attempts/));

  it('verification mails, per account', async () => {
    const api = new ApiClient(server.url);
    const { token } = await api.signup('resend@example.com');
    // Verification is off here, so a resend is refused with a 400 — but still counted.
    await expectLimited(() => post(server.url, '/api/auth/verify/resend', {}, { from: '127.0.0.9', headers: { authorization: `Bearer ${token}` } }), 400, /Too many verification mails/);
  });
});

describe('rate limits: expired windows', () => {
  let server: TestServer;
  beforeAll(async () => {
    // A window long enough that three log-ins (argon2 each) fit in it on a loaded machine; its end is brought forward in the table.
    server = await startTestServer({ AUTH_RATE_LIMIT: '2/10m' });
  });
  afterAll(() => server?.stop());

  it('end: the next window admits again, and pruning deletes the counters of ended windows', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await login(server.url, 'window@example.com', 'guess-guess')).status);
    expect(statuses).toEqual([401, 401, 429]);
    const sql = new Client({ connectionString: server.databaseUrl });
    await sql.connect();
    try {
      const count = async () => Number((await sql.query(`SELECT count(*) AS n FROM rate_limit_counters`)).rows[0].n);
      expect(await count()).toBeGreaterThan(0);
      await sql.query(`UPDATE rate_limit_counters SET resets_at = now() - interval '1 second'`);
      expect(await server.app.get(RateLimitCountersRepository).pruneExpired()).toBeGreaterThan(0);
      expect(await count()).toBe(0);
      expect((await login(server.url, 'window@example.com', 'guess-guess')).status).toBe(401);
    } finally {
      await sql.end();
    }
  });
});
