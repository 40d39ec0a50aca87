/**
 * Artifacts benchmark (issue 6):
 *  1. Upload throughput through the API (PUT /api/uploads, streamed to the local store, sha256
 *     and content checks included) against a plain file copy of the same bytes on this machine.
 *  2. The public share page (GET /share/<token>) under concurrent load: requests per second and p99.
 * Set BENCH_SMALL=1 for a quick run.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { createReadStream, createWriteStream, mkdtempSync, statSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startServer } from '../../apps/control-plane/src/bootstrap';
import { SessionTokens } from '../../apps/control-plane/src/sessions/session-tokens';
import { uploadResults } from '../../apps/trainer/src/upload';
import { uploadApiUrl } from '../support/server';

const small = process.env.BENCH_SMALL === '1';
const FILE_MB = small ? 64 : 256;
const ROUNDS = 3;
const PAGE_REQUESTS = small ? 1000 : 5000;
const CONCURRENCY = 32;
const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const median = (xs: number[]) => pct(xs, 50);

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'trialhub-bench-artifacts-'));
  const dbName = `trialhub_bench_${Date.now().toString(36)}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  const dbUrl = new URL(adminUrl);
  dbUrl.pathname = `/${dbName}`;

  const server = await startServer({ NODE_ENV: 'test', LOG_LEVEL: 'error', PORT: '0', HOST: '127.0.0.1', DATABASE_URL: dbUrl.toString(), TRIALHUB_DATA_DIR: join(work, 'data'), AUTH_RATE_LIMIT: '1000/1m', PATH: process.env.PATH, HOME: process.env.HOME });
  try {
    // A user with a ready session, and room for the benchmark's bytes.
    const signup = await fetch(`${server.url}/api/auth/signup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'bench@example.com', password: 'correct-horse-battery' }) });
    const { user, token: bearer } = (await signup.json()) as { user: { id: string }; token: string };
    const db = new Client({ connectionString: dbUrl.toString() });
    await db.connect();
    const [{ id: trialId }] = (await db.query(`SELECT id FROM trials WHERE user_id = $1`, [user.id])).rows;
    const [{ id: sessionId }] = (
      await db.query(
        `INSERT INTO sessions (user_id, trial_id, profile_name, state, generation, mode, queued_at, claimed_by, claimed_until) VALUES ($1, $2, 'cpu', 'ready', 1, 'jupyter', now(), 'bench', now() + interval '1 day') RETURNING id`,
        [user.id, trialId],
      )
    ).rows;
    await db.query(`INSERT INTO settings (key, value) VALUES ('maxUploadFileBytes', $1), ('storagePerUserBytes', $1)`, [String(64 * 1024 ** 3)]);
    const uploadToken = server.app.get(SessionTokens).uploadToken(sessionId, 1);

    // 1. Upload throughput vs a plain copy.
    const source = join(work, 'weights.bin');
    await writeFile(source, randomBytes(FILE_MB * 1024 * 1024));
    const size = statSync(source).size;
    const agent = new Agent({ keepAlive: true });
    const put = (name: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request(`${uploadApiUrl(server)}/bench/${name}`, { method: 'PUT', agent, headers: { authorization: `Bearer ${uploadToken}`, 'content-type': 'application/octet-stream', 'content-length': size } }, (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 201 ? resolve(res.statusCode) : reject(new Error(`upload answered ${res.statusCode}`))));
        });
        req.on('error', reject);
        createReadStream(source).pipe(req);
      });
    const apiSeconds: number[] = [];
    const copySeconds: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      let t = performance.now();
      await put(`round-${round}.bin`);
      apiSeconds.push((performance.now() - t) / 1000);
      const target = join(work, `copy-${round}.bin`);
      t = performance.now();
      // Plain copy through streams, as a server without checks would do (copyFile may use reflinks, which is not a fair line).
      await new Promise<void>((resolve, reject) => createReadStream(source).pipe(createWriteStream(target)).on('finish', resolve).on('error', reject));
      copySeconds.push((performance.now() - t) / 1000);
      await rm(target);
    }
    const cpTarget = join(work, 'cp.bin');
    let t = performance.now();
    await copyFile(source, cpTarget);
    const copyFileSeconds = (performance.now() - t) / 1000;
    await rm(cpTarget);
    const mbps = (s: number) => (size / 1024 / 1024 / s).toFixed(0);
    console.log(`Upload of a ${FILE_MB} MiB file, median of ${ROUNDS} (sha256, limits and checks included):`);
    console.log(`  through the API           ${mbps(median(apiSeconds))} MB/s`);
    console.log(`  plain stream copy         ${mbps(median(copySeconds))} MB/s  (API reaches ${((median(copySeconds) / median(apiSeconds)) * 100).toFixed(0)} % of it)`);
    console.log(`  fs.copyFile (kernel copy) ${mbps(copyFileSeconds)} MB/s`);

    // 2. The share page under load.
    const run = join(work, 'run');
    await mkdir(join(run, 'model'), { recursive: true });
    await writeFile(join(run, 'metrics.json'), JSON.stringify({ testAccuracy: 0.846, validationAccuracy: 0.8, trainAccuracy: 0.95, testCount: 52, classes: ['pool', 'no pool'], steps: 500, mode: 'default', backend: 'wasm', seconds: 10 }));
    await writeFile(join(run, 'history.json'), JSON.stringify(Array.from({ length: 50 }, (_, i) => ({ step: (i + 1) * 10, trainAccuracy: 0.5 + i / 100, validationAccuracy: 0.5 + i / 120, crossEntropy: 1 / (i + 1) }))));
    await writeFile(join(run, 'confusion.json'), JSON.stringify({ classes: ['pool', 'no pool'], matrix: [[24, 2], [6, 20]] }));
    await writeFile(join(run, 'before-after.json'), JSON.stringify(Array.from({ length: 52 }, (_, i) => ({ image: `pool/${i}.jpg`, label: 'pool', before: { pool: 0.5, 'no pool': 0.5 }, after: { pool: 0.9, 'no pool': 0.1 } }))));
    await writeFile(join(run, 'model/weights.bin'), randomBytes(1024 * 1024));
    const { resultId } = await uploadResults({ dir: run, uploadUrl: uploadApiUrl(server), token: uploadToken, runName: 'page-bench' });
    const share = await fetch(`${server.url}/api/results/${resultId}/shares`, { method: 'POST', headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' }, body: '{}' });
    const { token } = (await share.json()) as { token: string };
    const pageAgent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const getPage = () =>
      new Promise<number>((resolve, reject) => {
        const start = performance.now();
        request(`${server.url}/share/${token}`, { agent: pageAgent }, (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - start) : reject(new Error(`share page answered ${res.statusCode}`))));
        })
          .on('error', reject)
          .end();
      });
    for (let i = 0; i < 50; i++) await getPage();
    const latencies: number[] = [];
    let issued = 0;
    t = performance.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (issued++ < PAGE_REQUESTS) latencies.push(await getPage());
    }));
    const seconds = (performance.now() - t) / 1000;
    console.log(`Share page GET /share/<token>, ${PAGE_REQUESTS} requests, ${CONCURRENCY} concurrent:`);
    console.log(`  ${(latencies.length / seconds).toFixed(0)} requests/s, p50 ${pct(latencies, 50).toFixed(1)} ms, p99 ${pct(latencies, 99).toFixed(1)} ms`);
    const links = (await (await fetch(`${server.url}/api/results/${resultId}/shares`, { headers: { authorization: `Bearer ${bearer}` } })).json()) as Array<{ viewCount: number }>;
    console.log(`  views recorded: ${links[0].viewCount} (of ${latencies.length + 50} requests)`);
    console.log('  (client and server share this process and its event loop; a separate client would see more)');
    await db.end();
    agent.destroy();
    pageAgent.destroy();
  } finally {
    await server.close();
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`).catch(() => undefined);
    await admin.end();
    await rm(work, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
