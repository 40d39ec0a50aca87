/**
 * Notebook proxy benchmark (issue 4): a small Jupyter API call (`GET api/status`) against one
 * real notebook server, three ways, in the same run:
 *  - direct: straight to Jupyter's loopback port, with its token;
 *  - trialhub: through the control plane's proxy on the session's own origin `<id>.localhost:<port>` (sent to 127.0.0.1
 *    with that Host; the notebook origin's cookie from the portal's hand-off; the proxy adds the token);
 *  - chp: through configurable-http-proxy (JupyterHub's proxy), a child process, token from the client.
 * Goals: trialhub ≥ 0.8 × direct in requests per second, and at least as fast as chp.
 * Everything stays on 127.0.0.1; load is CONNECTIONS keep-alive connections for SECONDS per round.
 * Env: BENCH_SECONDS (default 6), BENCH_CONNECTIONS (default 16), BENCH_ROUNDS (default 3),
 * BENCH_LOG_LEVEL (the control plane's LOG_LEVEL, default info as in production: every request is logged).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { hmac } from '../../apps/control-plane/src/common/crypto';
import { freePort } from '../../apps/control-plane/src/common/free-port';
import { repoRoot } from '../../apps/control-plane/src/runtime/local/repo-root';
import { ApiClient } from '../support/http';
import { NotebookClient } from '../support/notebook-origin';
import { waitFor } from '../support/wait';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECRET = 'proxy-benchmark-secret-proxy-benchmark-secret';
const root = repoRoot();
const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

interface Target { name: string; port: number; path: string; headers: Record<string, string> }
interface Measurement { name: string; requests: number; errors: number; rps: number; p50: number; p99: number }

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};
const median = (xs: number[]) => pct(xs, 50);

function once(agent: Agent, t: Target): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const req = request({ host: '127.0.0.1', port: t.port, path: t.path, headers: t.headers, agent }, (res) => {
      res.resume();
      res.on('end', () => resolvePromise(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

/** CONNECTIONS workers, each sending its next request as soon as the previous one is answered. */
async function load(t: Target, seconds: number): Promise<Measurement> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const latencies: number[] = [];
  let errors = 0;
  const warmUntil = Date.now() + 500;
  const stopAt = warmUntil + seconds * 1000;
  const worker = async () => {
    while (Date.now() < stopAt) {
      const started = performance.now();
      try {
        const status = await once(agent, t);
        if (status !== 200) errors++;
      } catch {
        errors++;
      }
      if (Date.now() >= warmUntil) latencies.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  agent.destroy();
  return { name: t.name, requests: latencies.length, errors, rps: latencies.length / seconds, p50: pct(latencies, 50), p99: pct(latencies, 99) };
}

async function startChp(jupyterPort: number): Promise<{ port: number; child: ChildProcess }> {
  const port = await freePort();
  const apiPort = await freePort();
  const child = spawn(join(root, 'node_modules/.bin/configurable-http-proxy'), ['--ip', '127.0.0.1', '--port', String(port), '--api-ip', '127.0.0.1', '--api-port', String(apiPort), '--default-target', `http://127.0.0.1:${jupyterPort}`, '--log-level', 'error'], {
    env: { PATH: process.env.PATH, CONFIGPROXY_AUTH_TOKEN: 'bench' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  await waitFor('configurable-http-proxy to listen', () => fetch(`http://127.0.0.1:${port}/`).then((r) => r.status, () => 0), (s) => s > 0, 20_000, 100);
  return { port, child };
}

async function createDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `trialhub_bench_proxy_${randomBytes(4).toString('hex')}`;
  const admin = async (sql: string) => {
    const c = new Client({ connectionString: adminUrl });
    await c.connect();
    await c.query(sql);
    await c.end();
  };
  await admin(`CREATE DATABASE "${name}"`);
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return { url: u.toString(), drop: () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

/** The control plane as a child process (run-ts built dist/ already), ready once /healthz answers. */
async function startControlPlane(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(root, 'dist/control-plane.js')], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test', HOST: '127.0.0.1', PORT: String(port), UPLOAD_PORT: '0', AUTH_RATE_LIMIT: '1000/1m', LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor('the control plane to answer', () => fetch(`${url}/healthz`).then((r) => r.status, () => 0), (s) => s === 200 || child.exitCode !== null, 60_000, 200);
  if (child.exitCode !== null) throw new Error(`The control plane exited with ${child.exitCode}`);
  return { url, child };
}

async function main(): Promise<void> {
const dataDir = mkdtempSync(join(tmpdir(), 'trialhub-proxy-bench-'));
const db = await createDatabase();
let chp: ChildProcess | undefined;
let controlPlane: ChildProcess | undefined;
try {
  const started0 = await startControlPlane({ DATABASE_URL: db.url, TRIALHUB_DATA_DIR: dataDir, SESSION_SECRET: SECRET });
  controlPlane = started0.child;
  const url = started0.url;
  const api = new ApiClient(url);
  await api.signup('bench@example.com');
  const launched = (await api.post('/api/sessions', { profile: 'cpu' })).body;
  const session = await waitFor('the session to be ready', () => api.get(`/api/sessions/${launched.id}`).then((r) => r.body), (s) => s.state === 'ready' || s.state === 'failed', 120_000, 200);
  if (session.state !== 'ready') throw new Error(`The session failed: ${session.reason}`);
  const pg = new Client({ connectionString: db.url });
  await pg.connect();
  const { rows } = await pg.query(`SELECT endpoint_port, generation FROM sessions WHERE id = $1`, [session.id]);
  await pg.end();
  const jupyterPort: number = rows[0].endpoint_port;
  const notebook = new NotebookClient(url, session.id);
  await notebook.open(api, { loadPage: false });
  const token = hmac(SECRET, `jupyter:${session.id}:${rows[0].generation}`);
  const path = `/notebook/${session.id}/api/status`;
  const cpPort = Number(new URL(url).port);
  const started = await startChp(jupyterPort);
  chp = started.child;

  const targets: Target[] = [
    { name: 'direct', port: jupyterPort, path, headers: { authorization: `token ${token}` } },
    { name: 'trialhub', port: cpPort, path, headers: { host: notebook.host, cookie: notebook.cookieHeader } },
    { name: 'chp', port: started.port, path, headers: { authorization: `token ${token}` } },
  ];
  for (const t of targets) {
    const status = await once(new Agent(), t);
    if (status !== 200) throw new Error(`${t.name}: GET ${path} answered ${status}`);
  }

  console.log(`GET ${path.replace(session.id, '<id>')}: ${CONNECTIONS} connections, ${SECONDS} s per run, ${ROUNDS} rounds (targets interleaved)`);
  const all: Measurement[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    for (const t of targets) {
      const m = await load(t, SECONDS);
      all.push(m);
      console.log(`  round ${round}  ${m.name.padEnd(8)} ${m.rps.toFixed(0).padStart(6)} req/s   p50 ${m.p50.toFixed(2).padStart(6)} ms   p99 ${m.p99.toFixed(2).padStart(6)} ms   errors ${m.errors}`);
    }
  }
  const summary = Object.fromEntries(targets.map((t) => {
    const runs = all.filter((m) => m.name === t.name);
    return [t.name, { rps: median(runs.map((m) => m.rps)), p99: median(runs.map((m) => m.p99)), errors: runs.reduce((n, m) => n + m.errors, 0) }];
  }));
  console.log('\nmedian of the rounds:');
  for (const [name, s] of Object.entries(summary)) console.log(`  ${name.padEnd(8)} ${s.rps.toFixed(0).padStart(6)} req/s   p99 ${s.p99.toFixed(2).padStart(6)} ms   errors ${s.errors}`);
  const vsDirect = summary.trialhub.rps / summary.direct.rps;
  const vsChp = summary.trialhub.rps / summary.chp.rps;
  console.log(`\ntrialhub / direct = ${vsDirect.toFixed(2)} (goal ≥ 0.80: ${vsDirect >= 0.8 ? 'met' : 'NOT met'})`);
  console.log(`trialhub / chp    = ${vsChp.toFixed(2)} (goal ≥ 1.00: ${vsChp >= 1 ? 'met' : 'NOT met'}); chp / direct = ${(summary.chp.rps / summary.direct.rps).toFixed(2)}`);
  await api.delete(`/api/sessions/${session.id}`);
  await waitFor('the session to stop', () => api.get(`/api/sessions/${session.id}`).then((r) => r.body.state), (s) => s === 'stopped', 60_000, 200);
} finally {
  chp?.kill('SIGTERM');
  if (controlPlane && controlPlane.exitCode === null) {
    const exited = new Promise((r) => controlPlane!.once('exit', r));
    controlPlane.kill('SIGTERM');
    await exited;
  }
  await db.drop();
  rmSync(dataDir, { recursive: true, force: true });
}
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
