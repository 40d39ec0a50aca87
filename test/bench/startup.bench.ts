/**
 * Start-up benchmark (issue 17), the built server as `npm start` runs it, N rounds each:
 *  1. cold start to the API answering: embedded PostgreSQL with an existing data dir; DATABASE_URL;
 *  2. restart with 10 local sessions (Jupyter processes the new control plane adopts) until the
 *     API lists all 10 ready, and until a notebook answers through the proxy.
 * Goal 1 s each. Also the median of each `boot.phase` (the debug log's start-up phases).
 * BENCH_ROUNDS (default 5), BENCH_SESSIONS (default 10).
 */
import { mkdtempSync, chmodSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from '../../apps/control-plane/src/common/free-port';
import { ControlPlaneProcess, buildOnce } from '../support/control-plane-process';
import { createDatabase } from '../support/database-admin';
import { ApiClient } from '../support/http';
import { NotebookClient } from '../support/notebook-origin';
import { killSessionProcesses } from '../support/session-processes';
import { waitFor } from '../support/wait';

const ROUNDS = Math.max(5, Number(process.env.BENCH_ROUNDS ?? 5));
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 10);
const GOAL_MS = 1000;
const ADMIN = { email: 'bench-admin@example.com', password: 'bench admin password 17' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Starts the server and times, from the spawn, until each probe first says yes (polled every 5 ms). */
async function timedStart(env: Record<string, string>, probes: Record<string, (url: string) => Promise<boolean>>): Promise<{ server: ControlPlaneProcess; ms: Record<string, number>; phases: Record<string, number> }> {
  const ports = { PORT: String(await freePort()), UPLOAD_PORT: String(await freePort()) };
  const server = new ControlPlaneProcess({ ...ports, ...env, LOG_LEVEL: 'debug' });
  const url = `http://127.0.0.1:${env.PORT ?? ports.PORT}`;
  const t0 = performance.now();
  const started = server.start(120_000);
  started.catch(() => undefined);
  const ms: Record<string, number> = {};
  await Promise.all(
    Object.entries(probes).map(async ([name, probe]) => {
      while (!(await probe(url).catch(() => false))) {
        if (performance.now() - t0 > 120_000) throw new Error(`${name}: no answer within 120 s`);
        await sleep(5);
      }
      ms[name] = performance.now() - t0;
    }),
  );
  await started;
  const phases: Record<string, number> = {};
  for (const line of server.output) {
    if (!line.includes('"boot.phase"')) continue;
    const { phase, ms: took } = JSON.parse(line) as { phase: string; ms: number };
    phases[phase] = took;
  }
  return { server, ms, phases };
}

const apiAnswers = async (url: string) => (await fetch(`${url}/api/profiles`)).status > 0;

function report(title: string, samples: number[], phases: Array<Record<string, number>>): void {
  const m = median(samples);
  console.log(`${title}: median ${m.toFixed(0)} ms (range ${Math.min(...samples).toFixed(0)}–${Math.max(...samples).toFixed(0)}, N=${samples.length}), goal < ${GOAL_MS} ms: ${m < GOAL_MS ? 'met' : 'NOT met'}`);
  if (!phases.length) return;
  const names = [...new Set(phases.flatMap((p) => Object.keys(p)))];
  console.log(`  boot phases (median ms): ${names.map((n) => `${n} ${median(phases.map((p) => p[n] ?? 0)).toFixed(0)}`).join(', ')}`);
}

async function coldStarts(title: string, env: Record<string, string>): Promise<void> {
  // The first start creates the data dir or migrates the database: not what is measured.
  (await timedStart(env, { api: apiAnswers })).server.kill('SIGTERM');
  await sleep(500);
  const samples: number[] = [];
  const phases: Array<Record<string, number>> = [];
  for (let i = 0; i < ROUNDS; i++) {
    const { server, ms, phases: p } = await timedStart(env, { api: apiAnswers });
    samples.push(ms.api);
    phases.push(p);
    await server.kill('SIGTERM');
  }
  report(title, samples, phases);
}

async function restartWithSessions(databaseUrl: string): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'trialhub-bench-restart-'));
  // The same ports at every restart, as in production: browsers and notebook cookies know the address.
  const env = { PORT: String(await freePort()), UPLOAD_PORT: String(await freePort()), DATABASE_URL: databaseUrl, TRIALHUB_DATA_DIR: dataDir, ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, TRIALHUB_EXAMPLE_DATA: 'off' };
  let { server } = await timedStart(env, { api: apiAnswers });
  try {
    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    await db.query(`UPDATE profiles SET slots = 1000`);
    await db.end();
    const login = await new ApiClient(server.url).post('/api/auth/login', ADMIN);
    if (login.status !== 200) throw new Error(`admin log-in: ${login.status} ${login.text}`);
    const bearer = { authorization: `Bearer ${login.body.token}` };
    const owners: ApiClient[] = [];
    const ids: string[] = [];
    for (let i = 0; i < SESSIONS; i++) {
      const user = new ApiClient(server.url);
      await user.signup(`bench-restart-${i}@example.com`, 'correct horse battery staple 17');
      const launched = await user.post('/api/sessions', {});
      if (![201, 202].includes(launched.status)) throw new Error(`launch ${i}: ${launched.status} ${launched.text}`);
      owners.push(user);
      ids.push(launched.body.id);
    }
    const allReady = async (url: string) => {
      const live = await fetch(`${url}/api/admin/sessions`, { headers: bearer });
      if (live.status !== 200) return false;
      return ((await live.json()) as Array<{ id: string; state: string }>).filter((s) => ids.includes(s.id) && s.state === 'ready').length === SESSIONS;
    };
    await waitFor(`${SESSIONS} Jupyter sessions ready`, () => allReady(server.url), (v) => v, 300_000, 500);
    const notebook = new NotebookClient(server.url, ids[0]);
    await notebook.open(owners[0], { loadPage: false });
    const listed: number[] = [];
    const proxied: number[] = [];
    const phases: Array<Record<string, number>> = [];
    for (let i = 0; i < ROUNDS; i++) {
      await server.kill('SIGTERM');
      const round = await timedStart(env, {
        listed: allReady,
        proxied: async () => (await notebook.get(`/notebook/${ids[0]}/api`)).status === 200,
      });
      server = round.server;
      listed.push(round.ms.listed);
      proxied.push(round.ms.proxied);
      phases.push(round.phases);
    }
    report(`restart with ${SESSIONS} local sessions -> API lists all ${SESSIONS} ready`, listed, phases);
    report('restart -> a notebook answers through the proxy', proxied, []);
  } finally {
    await server.kill('SIGTERM');
    killSessionProcesses(dataDir);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  buildOnce();
  console.log(`Start-up, ${ROUNDS} rounds each (the built server, LOG_LEVEL=debug for its boot phases)`);
  const dataDir = mkdtempSync(join(tmpdir(), 'trialhub-bench-start-'));
  // As root, the embedded server runs as the postgres user, who must be able to enter the folder.
  chmodSync(dataDir, 0o755);
  const db = await createDatabase(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test', 'trialhub_bench_start');
  try {
    await coldStarts('cold start, embedded PostgreSQL (existing data dir) -> API answers', { TRIALHUB_DATA_DIR: dataDir, JUPYTER_COMMAND: 'off' });
    await coldStarts('cold start, DATABASE_URL -> API answers', { DATABASE_URL: db.url, TRIALHUB_DATA_DIR: dataDir, JUPYTER_COMMAND: 'off' });
    await restartWithSessions(db.url);
  } finally {
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
