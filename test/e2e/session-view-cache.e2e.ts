import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from 'pg';
import { sha256 } from '../../apps/control-plane/src/common/crypto';
import { SessionViewCache } from '../../apps/control-plane/src/sessions/session-view-cache';
import { createTestDatabase } from '../support/database';
import { ApiClient } from '../support/http';
import { startTestServer, TestServer } from '../support/server';
import { waitFor } from '../support/wait';

/** How soon a change made anywhere must be visible through another replica's cache. */
const BOUND_MS = 500;

describe('session view cache across replicas', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let a: TestServer;
  let b: TestServer;
  let sql: Client;
  let cacheB: SessionViewCache;

  beforeAll(async () => {
    db = await createTestDatabase();
    const env = { DATABASE_URL: db.url, JUPYTER_COMMAND: 'off' };
    a = await startTestServer(env);
    b = await startTestServer(env);
    cacheB = b.app.get(SessionViewCache);
    sql = new Client({ connectionString: db.url });
    await sql.connect();
  });
  afterAll(async () => {
    await sql?.end();
    await a?.stop();
    await b?.stop();
    await db?.drop();
  });

  /** A user with an active trial and a bearer token, and API clients for both replicas. */
  async function user(role: 'user' | 'admin' = 'user') {
    const id = randomUUID();
    const trialId = randomUUID();
    const token = randomUUID();
    await sql.query(`INSERT INTO users (id, email, password_hash, verified_at, role) VALUES ($1, $2, 'x', now(), $3)`, [id, `c-${id}@example.com`, role]);
    await sql.query(`INSERT INTO trials (id, user_id, state, activated_at, expires_at) VALUES ($1, $2, 'active', now(), now() + interval '1 day')`, [trialId, id]);
    await sql.query(`INSERT INTO auth_tokens (user_id, token_hash, expires_at) VALUES ($1, $2, now() + interval '1 day')`, [id, sha256(token)]);
    const onA = new ApiClient(a.url);
    const onB = new ApiClient(b.url);
    onA.bearer = onB.bearer = token;
    return { id, trialId, onA, onB };
  }

  /** A ready session the reconcilers leave alone (leased to nobody that exists). */
  async function readySession(u: { id: string; trialId: string }): Promise<string> {
    const { rows } = await sql.query(
      `INSERT INTO sessions (user_id, trial_id, profile_name, state, generation, mode, queued_at, started_at, ready_at, claimed_by, claimed_until)
       VALUES ($1, $2, 'cpu', 'ready', 1, 'jupyter', now(), now(), now(), 'elsewhere', now() + interval '1 hour') RETURNING id`,
      [u.id, u.trialId],
    );
    await sql.query(`INSERT INTO session_events (session_id, from_state, to_state, message) VALUES ($1, 'starting', 'ready', 'Ready')`, [rows[0].id]);
    return rows[0].id;
  }

  /**
   * Reads the session through B until it is served from B's memory. A few tries: the replicas'
   * own passes may change the session (and so evict it) between two reads.
   */
  async function cachedOnB(api: ApiClient, id: string) {
    for (let attempt = 1; ; attempt++) {
      const first = await api.get(`/api/sessions/${id}`);
      expect(first.status).toBe(200);
      const hits = cacheB.cache.stats.hits;
      const second = await api.get(`/api/sessions/${id}`);
      expect(second.status).toBe(200);
      if (cacheB.cache.stats.hits === hits + 1 || attempt === 5) {
        expect(cacheB.cache.stats.hits).toBe(hits + 1);
        return second.body;
      }
    }
  }

  const seenOnB = <T>(what: string, api: ApiClient, id: string, ok: (view: any) => T) =>
    waitFor(what, () => api.get(`/api/sessions/${id}`).then((r) => r.body), (v) => Boolean(ok(v)), BOUND_MS, 10);

  it('both replicas listen', () => {
    expect(cacheB.isListening).toBe(true);
    expect(a.app.get(SessionViewCache).isListening).toBe(true);
  });

  it('a stop through replica A is seen through replica B, with its event', async () => {
    const u = await user();
    const id = await readySession(u);
    const before = await cachedOnB(u.onB, id);
    expect(before.state).toBe('ready');
    const stopped = await u.onA.delete(`/api/sessions/${id}`);
    expect(stopped.status).toBe(202);
    expect(stopped.body.state).toBe('stopping');
    const after = await seenOnB('stopping on B', u.onB, id, (v) => v.state === 'stopping');
    expect(after.events.length).toBe(before.events.length + 1);
    expect(after.events.at(-1).to).toBe('stopping');
  });

  it('a direct SQL change of the state, a new event, a trial extension and a quota change are each seen through B', async () => {
    const u = await user();
    const id = await readySession(u);
    await cachedOnB(u.onB, id);

    await sql.query(`UPDATE sessions SET state = 'failed', reason = 'The node went away' WHERE id = $1`, [id]);
    await seenOnB('failed on B', u.onB, id, (v) => v.state === 'failed' && v.reason === 'The node went away');

    await cachedOnB(u.onB, id);
    await sql.query(`INSERT INTO session_events (session_id, message) VALUES ($1, 'Something worth knowing')`, [id]);
    await seenOnB('the new event on B', u.onB, id, (v) => v.events.at(-1)?.message === 'Something worth knowing');

    // stopsAt shows while running; trialExpiresAt always.
    await sql.query(`UPDATE sessions SET state = 'ready', reason = NULL WHERE id = $1`, [id]);
    const running = await seenOnB('ready again on B', u.onB, id, (v) => v.state === 'ready');
    await cachedOnB(u.onB, id);
    await sql.query(`UPDATE trials SET expires_at = expires_at + interval '1 hour' WHERE id = $1`, [u.trialId]);
    await seenOnB('the extended trial on B', u.onB, id, (v) => Date.parse(v.trialExpiresAt) === Date.parse(running.trialExpiresAt) + 3600_000);

    const cached = await cachedOnB(u.onB, id);
    // max_runtime_ms is NULL (admitted before limits were kept): the view shows the current quota.
    await sql.query(`INSERT INTO settings (key, value) VALUES ('sessionMaxRuntimeMs', '60000') ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`);
    const shorter = await seenOnB('the new quota on B', u.onB, id, (v) => v.stopsAt !== cached.stopsAt);
    expect(Date.parse(shorter.stopsAt)).toBe(Date.parse(shorter.readyAt) + 60_000);
  });

  it('changes to bookkeeping columns (lease, activity) do not invalidate', async () => {
    const u = await user();
    const id = await readySession(u);
    await cachedOnB(u.onB, id);
    await sql.query(`UPDATE sessions SET last_activity_at = now(), claimed_until = now() + interval '2 hours', next_check_at = now() WHERE id = $1`, [id]);
    await new Promise((r) => setTimeout(r, 100));
    const hits = cacheB.cache.stats.hits;
    await u.onB.get(`/api/sessions/${id}`);
    expect(cacheB.cache.stats.hits).toBe(hits + 1);
  });

  it('another user gets 404 for a cached session; an admin sees it', async () => {
    const owner = await user();
    const other = await user();
    const admin = await user('admin');
    const id = await readySession(owner);
    await cachedOnB(owner.onB, id);
    const hits = cacheB.cache.stats.hits;
    expect((await other.onB.get(`/api/sessions/${id}`)).status).toBe(404);
    expect(cacheB.cache.stats.hits).toBe(hits + 1); // answered from memory, still refused
    expect((await other.onA.get(`/api/sessions/${id}`)).status).toBe(404);
    const seen = await admin.onB.get(`/api/sessions/${id}`);
    expect(seen.status).toBe(200);
    expect(seen.body.userId).toBe(owner.id);
  });

  it('queued sessions are read from the database every time (their queue position moves)', async () => {
    const u = await user();
    // No free slot: the session stays queued.
    const { rows: [{ slots }] } = await sql.query(`SELECT slots FROM profiles WHERE name = 'cpu'`);
    await sql.query(`UPDATE profiles SET slots = 0 WHERE name = 'cpu'`);
    const launched = await u.onA.post('/api/sessions', { profile: 'cpu' });
    expect(launched.status).toBe(202);
    expect(launched.body.state).toBe('queued');
    const misses = cacheB.cache.stats.misses;
    const hits = cacheB.cache.stats.hits;
    await u.onB.get(`/api/sessions/${launched.body.id}`);
    const again = await u.onB.get(`/api/sessions/${launched.body.id}`);
    expect(again.body.state).toBe('queued');
    expect(again.body.queuePosition).toBe(1);
    expect(cacheB.cache.stats.hits).toBe(hits);
    expect(cacheB.cache.stats.misses).toBe(misses + 2);
    await u.onA.delete(`/api/sessions/${launched.body.id}`);
    await sql.query(`UPDATE profiles SET slots = $1 WHERE name = 'cpu'`, [slots]);
  });

  it('a deleted session is gone on B at once', async () => {
    const u = await user();
    const id = await readySession(u);
    await cachedOnB(u.onB, id);
    await sql.query(`DELETE FROM sessions WHERE id = $1`, [id]);
    await waitFor('404 on B', () => u.onB.get(`/api/sessions/${id}`).then((r) => r.status), (s) => s === 404, BOUND_MS, 10);
  });

  it('when B loses its listener it reads the database (no stale views), then listens again', async () => {
    const u = await user();
    const id = await readySession(u);
    await cachedOnB(u.onB, id);
    const pid = cacheB.listenerPid;
    expect(pid).toBeTypeOf('number');
    await sql.query(`SELECT pg_terminate_backend($1)`, [pid]);
    await waitFor('B to notice', () => cacheB.isListening, (l) => !l, 2000, 5);
    // Changed while nobody on B listens: B must not answer from memory.
    await sql.query(`UPDATE sessions SET reason = 'changed while B was deaf' WHERE id = $1`, [id]);
    const bypassed = cacheB.cache.stats.bypassed;
    const view = await u.onB.get(`/api/sessions/${id}`);
    if (!cacheB.isListening) expect(cacheB.cache.stats.bypassed).toBe(bypassed + 1);
    expect(view.body.reason).toBe('changed while B was deaf');
    await waitFor('B to listen again', () => cacheB.isListening, (l) => l, 10_000, 20);
    expect(cacheB.listenerPid).not.toBe(pid);
    await cachedOnB(u.onB, id);
    await sql.query(`UPDATE sessions SET reason = 'after the reconnect' WHERE id = $1`, [id]);
    await seenOnB('the change after the reconnect', u.onB, id, (v) => v.reason === 'after the reconnect');
  });
});
