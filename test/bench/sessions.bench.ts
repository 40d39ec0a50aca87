/**
 * Session control-plane benchmark against the fake Kubernetes API server (issue 3):
 *  1. 1,000 launches issued at once all reach `ready`; p50/p99 of the time the control plane
 *     adds on top of the pod's own start (pod start measured by an independent watch).
 *  2. GET /api/sessions/:id under 50 concurrent connections: req/s and p99 (goal p99 < 20 ms).
 *  3. 10,000 sessions whose trial expires at the same moment: how long after the deadline the
 *     last one is torn down (goal < 60 s).
 *  4. Restart: time until a new control plane has a fully reconciled view of 10,000 sessions (goal < 10 s).
 * Set BENCH_SMALL=1 for a quick run with 100 / 1,000 sessions.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import * as k8s from '@kubernetes/client-node';
import { startServer, RunningServer } from '../../apps/control-plane/src/bootstrap';
import { SessionReconciler } from '../../apps/control-plane/src/sessions/session-reconciler';
import { sha256 } from '../../apps/control-plane/src/common/crypto';
import { startFakeClusterProcess } from './support/fake-cluster-process';
import { runLoad } from './support/http-load';

const small = process.env.BENCH_SMALL === '1';
const LAUNCHES = small ? 100 : 1000;
const TEARDOWN = small ? 1000 : 10_000;
const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const NS = 'trialhub-sessions';

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const profileBody = (i: number) => (i % 2 ? '{"profile":"power8-gpu"}' : '{"profile":"x86-gpu"}');
const ms = (n: number) => `${n.toFixed(1)} ms`;
const sleep = (n: number) => new Promise((r) => setTimeout(r, n));

async function createDatabase(): Promise<string> {
  const name = `trialhub_bench_${Date.now().toString(36)}`;
  const c = new Client({ connectionString: adminUrl });
  await c.connect();
  await c.query(`CREATE DATABASE "${name}"`);
  await c.end();
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Users with active trials and bearer tokens, written straight to the database (hashing 10,000 passwords is not what we measure). */
async function seedUsers(db: Client, n: number, trialSeconds: number): Promise<Array<{ userId: string; trialId: string; token: string }>> {
  const out: Array<{ userId: string; trialId: string; token: string }> = [];
  for (let start = 0; start < n; start += 1000) {
    const batch = Array.from({ length: Math.min(1000, n - start) }, () => ({ userId: randomUUID(), trialId: randomUUID(), token: randomUUID() + randomUUID() }));
    await db.query(
      `INSERT INTO users (id, email, password_hash, verified_at) SELECT u, 'bench-' || u || '@example.com', 'x', now() FROM unnest($1::uuid[]) u`,
      [batch.map((b) => b.userId)],
    );
    await db.query(
      `INSERT INTO trials (id, user_id, state, activated_at, expires_at) SELECT t, u, 'active', now(), now() + ($3::int * interval '1 second') FROM unnest($1::uuid[], $2::uuid[]) AS x(t, u)`,
      [batch.map((b) => b.trialId), batch.map((b) => b.userId), trialSeconds],
    );
    await db.query(
      `INSERT INTO auth_tokens (user_id, token_hash, expires_at) SELECT u, h, now() + interval '1 day' FROM unnest($1::uuid[], $2::text[]) AS x(u, h)`,
      [batch.map((b) => b.userId), batch.map((b) => sha256(b.token))],
    );
    out.push(...batch);
  }
  return out;
}

function http(url: string, method: string, token: string, agent: Agent, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function start(databaseUrl: string, env: Record<string, string>): Promise<RunningServer> {
  return startServer({ NODE_ENV: 'test', LOG_LEVEL: 'error', PORT: '0', HOST: '127.0.0.1', DATABASE_URL: databaseUrl, TRIALHUB_DATA_DIR: mkdtempSync(join(tmpdir(), 'trialhub-bench-')), SCHEDULER_INTERVAL: '1s', ...env });
}

async function main(): Promise<void> {
  // Half ppc64le, half amd64 nodes with 16 GPUs each (the GPU profiles ask 2 CPUs, 8 GiB and a GPU,
  // so 16 fit a 32-CPU, 128 GiB node); launches alternate between the two GPU profiles.
  const nodes = 2 * Math.ceil(TEARDOWN / 2 / 16) + 2;
  const cluster = await startFakeClusterProcess({ nodes, gpusPerNode: 16, kubeletDelayMs: 100 });
  const databaseUrl = await createDatabase();
  let server = await start(databaseUrl, cluster.env);
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  await db.query(`UPDATE profiles SET slots = 100000`);
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });

  // An independent watch measures each pod's own start: created → Ready.
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(cluster.kubeconfigPath);
  const podCreated = new Map<string, number>();
  const podReady = new Map<string, number>();
  const informer = k8s.makeInformer(kc, `/api/v1/namespaces/${NS}/pods`, () => kc.makeApiClient(k8s.CoreV1Api).listNamespacedPod({ namespace: NS }));
  const note = (pod: k8s.V1Pod) => {
    const id = pod.metadata?.labels?.['trialhub.io/session'];
    if (!id) return;
    if (!podCreated.has(id)) podCreated.set(id, Date.now());
    if (!podReady.has(id) && pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) podReady.set(id, Date.now());
  };
  informer.on('add', note);
  informer.on('update', note);
  await informer.start();

  // 1. Launch storm.
  const users = await seedUsers(db, LAUNCHES, 24 * 3600);
  const t0 = Date.now();
  const launched = await Promise.all(users.map((u, i) => http(`${server.url}/api/sessions`, 'POST', u.token, agent, profileBody(i)).then((r) => ({ ...u, at: Date.now(), session: JSON.parse(r.body) }))));
  const bad = launched.filter((l) => !l.session.id);
  if (bad.length) throw new Error(`${bad.length} launches were refused: ${JSON.stringify(bad[0].session)}`);
  for (;;) {
    const [{ n }] = (await db.query(`SELECT count(*)::int AS n FROM sessions WHERE state = 'ready'`)).rows;
    if (n >= LAUNCHES) break;
    if (Date.now() - t0 > 600_000) throw new Error(`only ${n} of ${LAUNCHES} ready after 10 minutes`);
    await sleep(200);
  }
  const allReady = Date.now() - t0;
  const rows = (await db.query(`SELECT id, created_at, ready_at FROM sessions`)).rows as Array<{ id: string; created_at: Date; ready_at: Date }>;
  const overhead = rows.map((r) => r.ready_at.getTime() - r.created_at.getTime() - ((podReady.get(r.id) ?? 0) - (podCreated.get(r.id) ?? 0)));
  const launch = rows.map((r) => r.ready_at.getTime() - r.created_at.getTime());
  console.log(`1. ${LAUNCHES} launches at once: all ready after ${(allReady / 1000).toFixed(1)} s; launch-to-ready p50 ${ms(pct(launch, 50))}, p99 ${ms(pct(launch, 99))}; control-plane overhead on top of the pod's own start p50 ${ms(pct(overhead, 50))}, p99 ${ms(pct(overhead, 99))}`);

  // 2. Read load, from a worker thread so the client does not share the server's event loop.
  const target = launched[0];
  const load = await runLoad({ url: `${server.url}/api/sessions/${target.session.id}`, headers: { authorization: `Bearer ${target.token}` }, connections: 50, durationMs: 10_000 });
  if (load.errors) throw new Error(`${load.errors} reads failed: ${JSON.stringify(load.statuses)}`);
  const latencies = load.latenciesMs;
  console.log(`2. GET /api/sessions/:id, 50 connections, 10 s: ${(latencies.length / 10).toFixed(0)} req/s, p50 ${ms(pct(latencies, 50))}, p99 ${ms(pct(latencies, 99))} (goal p99 < 20 ms)`);

  // 3. Mass expiry: TEARDOWN sessions whose trials end at the same moment.
  const extra = await seedUsers(db, TEARDOWN - LAUNCHES, 24 * 3600);
  // A fresh agent: the first one's sockets sat idle through step 2, past the server's keep-alive
  // timeout, and reusing one the server is closing fails with ECONNRESET ("socket hang up").
  const launchAgent = new Agent({ keepAlive: true, maxSockets: 256 });
  const tLaunch = Date.now();
  for (let i = 0; i < extra.length; i += 500) {
    await Promise.all(extra.slice(i, i + 500).map((u, j) => http(`${server.url}/api/sessions`, 'POST', u.token, launchAgent, profileBody(i + j))));
  }
  launchAgent.destroy();
  for (;;) {
    const [{ n }] = (await db.query(`SELECT count(*)::int AS n FROM sessions WHERE state = 'ready'`)).rows;
    if (n >= TEARDOWN) break;
    if (Date.now() - tLaunch > 1_200_000) throw new Error(`only ${n} of ${TEARDOWN} ready after 20 minutes`);
    await sleep(500);
  }
  console.log(`   (${TEARDOWN} sessions ready after ${((Date.now() - tLaunch) / 1000).toFixed(1)} s more)`);

  // 4. Restart: a new control plane on the same database and cluster; time to a reconciled view.
  await server.close();
  const tRestart = Date.now();
  server = await start(databaseUrl, cluster.env);
  await server.app.get(SessionReconciler).idle();
  console.log(`4. restart with ${TEARDOWN} live sessions: listening and fully reconciled after ${((Date.now() - tRestart) / 1000).toFixed(1)} s (goal < 10 s)`);

  const deadline = new Date(Date.now() + 5000);
  await db.query(`UPDATE trials SET expires_at = $1 WHERE state = 'active'`, [deadline]);
  await sleep(deadline.getTime() - Date.now());
  for (;;) {
    const [{ live }] = (await db.query(`SELECT count(*)::int AS live FROM sessions WHERE state NOT IN ('stopped','failed')`)).rows;
    // Listing 10,000 pods every poll would load the API server we measure against: ask it once the database says done.
    const pods = live === 0 ? await cluster.count('pods', NS) : -1;
    const claims = pods === 0 ? await cluster.count('persistentvolumeclaims', NS) : -1;
    if (live === 0 && pods === 0 && claims === 0) break;
    if (Date.now() - deadline.getTime() > 600_000) throw new Error(`teardown incomplete after 10 minutes: ${live} sessions, ${pods} pods, ${claims} claims`);
    await sleep(250);
  }
  console.log(`3. ${TEARDOWN} trials expiring at the same moment: the last session, pod and claim were gone ${((Date.now() - deadline.getTime()) / 1000).toFixed(1)} s after the deadline (goal < 60 s)`);

  informer.stop();
  agent.destroy();
  await db.end();
  await server.close();
  await cluster.close();
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
