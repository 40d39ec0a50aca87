import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/http';
import { PrivatePostgres } from '../support/private-postgres';
import { startTestServer, TestServer } from '../support/server';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Answer { replica: number; method: string; path: string; status: number; retryAfter: string | null; message: string }

/**
 * Two replicas on one PostgreSQL (a private one: the shared server on 5432 is never restarted),
 * users signing up and reading their trial while the database restarts.
 */
describe('a database restart under load', () => {
  const pg = new PrivatePostgres();
  const replicas: TestServer[] = [];

  beforeAll(async () => {
    await pg.create();
    for (let i = 0; i < 2; i++) replicas.push(await startTestServer({ DATABASE_URL: pg.url }));
  }, 180_000);

  afterAll(async () => {
    for (const r of replicas) await r.stop().catch(() => undefined);
    await pg.destroy();
  });

  it('answers 503 with Retry-After and a sentence while it is away, never 500, and everything is right afterwards', async () => {
    const answers: Answer[] = [];
    const signedUp: Array<{ replica: number; email: string }> = [];
    let loading = true;
    let n = 0;
    const record = (replica: number, method: string, path: string, r: { status: number; headers: Headers; body: any }) =>
      answers.push({ replica, method, path, status: r.status, retryAfter: r.headers.get('retry-after'), message: r.body?.message ?? '' });

    const worker = async (w: number) => {
      while (loading) {
        const replica = n++ % replicas.length;
        const api = new ApiClient(replicas[replica].url);
        const email = `restart-${w}-${n}@example.com`;
        try {
          const signup = await api.post('/api/auth/signup', { email, password: 'restart-load-password-1' });
          record(replica, 'POST', '/api/auth/signup', signup);
          if (signup.status !== 201) continue;
          signedUp.push({ replica, email });
          record(replica, 'GET', '/api/trial', await api.get('/api/trial'));
          record(replica, 'GET', '/api/sessions', await api.get('/api/sessions'));
        } catch (err) {
          // A refused or reset HTTP connection would be a crash of the replica: record it as a failure.
          answers.push({ replica, method: 'POST', path: '/api/auth/signup', status: 0, retryAfter: null, message: (err as Error).message });
        }
      }
    };
    const load = Promise.all([0, 1, 2, 3].map(worker));

    await sleep(1500);
    const before = answers.length;
    await pg.stop();
    // Away: both replicas say not-ready (and keep answering every request with a status).
    for (const r of replicas) {
      const ready = await new ApiClient(r.url).get('/readyz');
      expect(ready.status).toBe(503);
      expect(ready.headers.get('retry-after')).toMatch(/^\d+$/);
    }
    await sleep(1500);
    await pg.start();
    await sleep(3000);
    loading = false;
    await load;

    expect(answers.length).toBeGreaterThan(before);
    const unavailable = answers.filter((a) => a.status === 503);
    // The restart was felt (else this test proves nothing), and said so properly.
    expect(unavailable.length).toBeGreaterThan(0);
    for (const a of unavailable) {
      expect(a.retryAfter).toMatch(/^\d+$/);
      expect(a.message).toMatch(/try again/i);
    }
    const wrong = answers.filter((a) => a.status !== 503 && a.status !== 201 && a.status !== 200);
    expect(wrong, 'no 500, no dropped connection, no other answer than success or 503').toEqual([]);
    expect(signedUp.length).toBeGreaterThan(0);

    // Afterwards: both ready, a new sign-up works on each, and every user who got a 201 can log in and has a trial.
    for (const r of replicas) expect((await new ApiClient(r.url).get('/readyz')).status).toBe(200);
    for (const [i, r] of replicas.entries()) {
      const api = new ApiClient(r.url);
      await api.signup(`after-restart-${i}@example.com`, 'restart-load-password-1');
      expect((await api.get('/api/trial')).body.state).toBe('active');
    }
    for (const { replica, email } of signedUp.slice(-10)) {
      const api = new ApiClient(replicas[(replica + 1) % replicas.length].url);
      expect((await api.post('/api/auth/login', { email, password: 'restart-load-password-1' })).status).toBe(200);
      expect((await api.get('/api/trial')).body.state).toBe('active');
    }
  }, 120_000);
});
