import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataSourceOptions } from '../../apps/control-plane/src/database/data-source-options';
import { runMigrations } from '../../apps/control-plane/src/database/migrate';
import type { QuotasService } from '../../apps/control-plane/src/quotas/quotas.service';
import { SessionsRepository } from '../../apps/control-plane/src/repositories/sessions.repository';
import { SessionAdmission } from '../../apps/control-plane/src/sessions/session-admission';
import { SessionDeadlines } from '../../apps/control-plane/src/sessions/session-deadlines';
import { createTestDatabase } from '../support/database';

// Medium tests: the real lifecycle SQL (repository, deadlines, admission) against a real PostgreSQL.
const quotas = { current: async () => ({ sessionMaxRuntimeMs: 3_600_000, idleTimeoutMs: 3_600_000 }) } as unknown as QuotasService;

describe('lifecycle SQL on PostgreSQL', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let ds: DataSource;
  let sessions: SessionsRepository;

  async function seedTrial(expiresInSeconds: number): Promise<{ userId: string; trialId: string }> {
    const userId = randomUUID();
    const trialId = randomUUID();
    await ds.query(`INSERT INTO users (id, email, password_hash, verified_at) VALUES ($1, $2, 'x', now())`, [userId, `${userId}@example.com`]);
    await ds.query(`INSERT INTO trials (id, user_id, state, activated_at, expires_at) VALUES ($1, $2, 'active', now(), now() + ($3::int * interval '1 second'))`, [trialId, userId, expiresInSeconds]);
    return { userId, trialId };
  }
  async function seedSession(t: { userId: string; trialId: string }, state: string, profile = 'cpu', extra = ''): Promise<string> {
    const [{ id }] = await ds.query(
      `INSERT INTO sessions (user_id, trial_id, profile_name, state, queued_at, started_at, ready_at${extra ? ', reason_code' : ''}) VALUES ($1, $2, $3, $4, now(), now(), now()${extra ? ', $5' : ''}) RETURNING id`,
      [t.userId, t.trialId, profile, state, ...(extra ? [extra] : [])],
    );
    return id;
  }
  const stateOf = async (id: string) => (await ds.query(`SELECT state, reason_code, reason FROM sessions WHERE id = $1`, [id]))[0];
  const eventsOf = async (id: string) => (await ds.query(`SELECT from_state, to_state, reason FROM session_events WHERE session_id = $1 ORDER BY id`, [id])) as Array<Record<string, string>>;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await new DataSource(dataSourceOptions(db.url)).initialize();
    await runMigrations(ds);
    sessions = new SessionsRepository(ds);
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('turns a session that waited as queued + Unschedulable into `waiting`, and refuses states the contracts do not know', async () => {
    await ds.undoLastMigration({ transaction: 'all' });
    const id = await seedSession(await seedTrial(3600), 'queued', 'power8-gpu', 'Unschedulable');
    await runMigrations(ds);
    expect((await stateOf(id)).state).toBe('waiting');
    await expect(seedSession(await seedTrial(3600), 'pending-gpu')).rejects.toThrow(/sessions_state_check/);
  });

  it('stops the sessions of an ended trial through the table: launched ones (waiting too) to stopping, queued ones to stopped, each with its event', async () => {
    const ended = await seedTrial(-1);
    const [queued, waiting, ready, stopped] = [await seedSession(ended, 'queued'), await seedSession(ended, 'waiting'), await seedSession(ended, 'ready'), await seedSession(ended, 'stopped')];
    const alive = await seedSession(await seedTrial(3600), 'ready');
    const moved = await new SessionDeadlines(sessions, quotas).enforce();
    expect(moved.sort()).toEqual([waiting, ready].sort());
    for (const [id, from] of [[waiting, 'waiting'], [ready, 'ready']]) {
      expect(await stateOf(id)).toEqual({ state: 'stopping', reason_code: 'trial-ended', reason: 'The trial ended' });
      expect((await eventsOf(id)).at(-1)).toEqual({ from_state: from, to_state: 'stopping', reason: 'trial-ended' });
    }
    expect(await stateOf(queued)).toMatchObject({ state: 'stopped', reason: 'The trial ended' });
    expect(await eventsOf(queued)).toEqual([{ from_state: 'queued', to_state: 'stopped', reason: 'trial-ended' }]);
    expect((await stateOf(stopped)).state).toBe('stopped');
    expect(await eventsOf(stopped)).toEqual([]);
    expect((await stateOf(alive)).state).toBe('ready');
  });

  it('refuses a set-based move the transition table does not allow, before any SQL runs', async () => {
    const t = await seedTrial(-1);
    const id = await seedSession(t, 'stopped');
    await expect(sessions.transitionMany(ds.manager, { from: ['stopped'], to: 'stopping', reason: 'x', message: 'x', where: () => 'true' })).rejects.toThrow('A session cannot go from stopped to stopping');
    expect((await stateOf(id)).state).toBe('stopped');
  });

  it('admits queued sessions first in first out while the profile has slots; waiting sessions hold none', async () => {
    await ds.query(
      `INSERT INTO profiles (name, display_name, image, cpu_request, cpu_limit, memory_request, memory_limit, gpus, slots) VALUES ('x86-gpu', 'x86 GPU', 'img', '1', '1', '1Gi', '1Gi', 1, 2)`,
    );
    await ds.query(`UPDATE sessions SET state = 'stopped' WHERE state <> 'stopped'`);
    const waiting = await seedSession(await seedTrial(3600), 'waiting', 'x86-gpu');
    const holder = await seedSession(await seedTrial(3600), 'ready', 'x86-gpu');
    const first = await seedSession(await seedTrial(3600), 'queued', 'x86-gpu');
    const second = await seedSession(await seedTrial(3600), 'queued', 'x86-gpu');
    const admitted = await new SessionAdmission(sessions, quotas).admit();
    expect(admitted).toEqual([first]);
    expect((await stateOf(first)).state).toBe('provisioning');
    expect((await eventsOf(first)).at(-1)).toEqual({ from_state: 'queued', to_state: 'provisioning', reason: 'admitted' });
    expect((await stateOf(second)).state).toBe('queued');
    expect((await stateOf(waiting)).state).toBe('waiting');
    expect((await stateOf(holder)).state).toBe('ready');
  });
});
