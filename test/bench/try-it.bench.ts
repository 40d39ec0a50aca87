/**
 * Try-it benchmark (issue 14): a photo classified by a result's own full model, the real one
 * (Inception v3 from the nsfwjs package plus a head trained here on the seed's photos, ~20 MB),
 * through the real control plane (in this process; every client runs in worker threads).
 *  - one photo at a time: latency p50/p99 (goal: p50 < 1 s on 2 cores with WASM);
 *  - 20 at once (20 clients, each sending its next photo when answered): latency p50/p99;
 *  - the API's p99 for a cheap authenticated read (GET /api/results/:id) idle and during the
 *    burst (goal: during < 2 x idle), so a burst of photos cannot starve the API.
 * Env: BENCH_SECONDS (per phase, default 10).
 */
import 'reflect-metadata';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startServer } from '../../apps/control-plane/src/bootstrap';
import { SessionTokens } from '../../apps/control-plane/src/sessions/session-tokens';
import { resolveNotebookModel } from '../../apps/trainer/src/notebook-model';
import { train } from '../../apps/trainer/src/train';
import { uploadResults } from '../../apps/trainer/src/upload';
import { poolHousesDataset } from '../support/shared-dataset';
import { runLoad } from './support/http-load';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};
const ms = (x: number) => `${x.toFixed(0)} ms`;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'trialhub-try-it-bench-'));
  const dbName = `trialhub_bench_try_it_${Date.now().toString(36)}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  const dbUrl = new URL(adminUrl);
  dbUrl.pathname = `/${dbName}`;
  const server = await startServer({ NODE_ENV: 'test', LOG_LEVEL: 'error', PORT: '0', HOST: '127.0.0.1', DATABASE_URL: dbUrl.toString(), TRIALHUB_DATA_DIR: join(dir, 'data-dir'), AUTH_RATE_LIMIT: '100000/1m', PATH: process.env.PATH, HOME: process.env.HOME });
  try {
    // The result: 8 photos of each class (symlinks to the shared data set), the bundled Inception v3, full-model export.
    const images = join(poolHousesDataset(), 'images');
    for (const c of readdirSync(images)) {
      mkdirSync(join(dir, 'data', c), { recursive: true });
      for (const f of readdirSync(join(images, c)).sort().slice(0, 8)) symlinkSync(join(images, c, f), join(dir, 'data', c, f));
    }
    const model = resolveNotebookModel({ workDir: dir, cacheDir: join(dir, 'cache'), env: {} });
    if (!model.name?.startsWith('Inception v3')) throw new Error(`The bundled Inception v3 (nsfwjs) is not installed; the model would be ${model.description}`);
    const run = await train({ out: join(dir, 'run'), data: join(dir, 'data'), model: model.source, featureOutput: model.featureOutput, inputRange: model.inputRange, modelName: model.name, modelVersion: model.version, cacheDir: join(dir, 'cache'), log: () => undefined });
    // A user with a ready session (its upload token saves the run), and their bearer token for the API.
    const signup = await fetch(`${server.url}/api/auth/signup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'bench@example.com', password: 'correct-horse-battery' }) });
    const { user, token } = (await signup.json()) as { user: { id: string }; token: string };
    const db = new Client({ connectionString: dbUrl.toString() });
    await db.connect();
    const [{ id: trialId }] = (await db.query(`SELECT id FROM trials WHERE user_id = $1`, [user.id])).rows;
    const [{ id: sessionId }] = (
      await db.query(`INSERT INTO sessions (user_id, trial_id, profile_name, state, generation, mode, queued_at, claimed_by, claimed_until) VALUES ($1, $2, 'cpu', 'ready', 1, 'jupyter', now(), 'bench', now() + interval '1 day') RETURNING id`, [user.id, trialId])
    ).rows;
    await db.end();
    const { resultId } = await uploadResults({ dir: run.out, uploadUrl: `${server.uploadUrl}/api/uploads`, token: server.app.get(SessionTokens).uploadToken(sessionId, 1), runName: 'bench', title: 'try-it bench' });
    const bearer = { authorization: `Bearer ${token}` };
    const photo = new Uint8Array(readFileSync(join(poolHousesDataset(), 'test_images', readdirSync(join(poolHousesDataset(), 'test_images'))[0], readdirSync(join(poolHousesDataset(), 'test_images', readdirSync(join(poolHousesDataset(), 'test_images'))[0]))[0])));
    const predict = { url: `${server.url}/api/results/${resultId}/predict`, method: 'POST' as const, body: photo, headers: { ...bearer, 'content-type': 'image/jpeg' } };
    const read = { url: `${server.url}/api/results/${resultId}`, headers: bearer };

    // Warm-up: the model is read, sent to the workers and compiled once.
    await runLoad({ ...predict, connections: 2, durationMs: 3000 });
    const idle = await runLoad({ ...read, connections: 2, durationMs: SECONDS * 1000 });
    const single = await runLoad({ ...predict, connections: 1, durationMs: SECONDS * 1000 });
    const [burst, during] = await Promise.all([runLoad({ ...predict, connections: 20, durationMs: SECONDS * 1000 }), runLoad({ ...read, connections: 2, durationMs: SECONDS * 1000 })]);

    const full = readdirSync(join(run.out, 'full-model')).map((f) => `${f}`).join(', ');
    console.log(`try-it on ${cpus().length} cores, backend ${run.metrics.backend}; model: ${model.description} + head (full-model/: ${full}); photo ${photo.length} bytes JPEG; ${SECONDS} s per phase`);
    console.log('measure                                   N      p50       p99      goal');
    console.log(`one photo at a time                    ${String(single.requests).padStart(4)}  ${ms(pct(single.latenciesMs, 50)).padStart(8)}  ${ms(pct(single.latenciesMs, 99)).padStart(8)}   p50 < 1000 ms  (errors ${single.errors})`);
    console.log(`20 photos at once                      ${String(burst.requests).padStart(4)}  ${ms(pct(burst.latenciesMs, 50)).padStart(8)}  ${ms(pct(burst.latenciesMs, 99)).padStart(8)}   (statuses ${JSON.stringify(burst.statuses)})`);
    console.log(`API read, idle                         ${String(idle.requests).padStart(4)}  ${ms(pct(idle.latenciesMs, 50)).padStart(8)}  ${ms(pct(idle.latenciesMs, 99)).padStart(8)}`);
    const ratio = pct(during.latenciesMs, 99) / pct(idle.latenciesMs, 99);
    console.log(`API read, during the burst             ${String(during.requests).padStart(4)}  ${ms(pct(during.latenciesMs, 50)).padStart(8)}  ${ms(pct(during.latenciesMs, 99)).padStart(8)}   p99 < 2 x idle: ${ratio.toFixed(1)} x ${ratio < 2 ? 'MET' : 'NOT MET'}`);
  } finally {
    await server.close();
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(() => process.exit(0), (err) => {
  console.error(err);
  process.exit(1);
});
