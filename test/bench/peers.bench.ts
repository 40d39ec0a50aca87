/**
 * Peer benchmark (issue 17): Trialhub beside JupyterHub 3 + configurable-http-proxy on the same
 * machine, in the same run, under the same load, one system after the other:
 *  - cold start on an empty database until the API answers;
 *  - launch → ready one at a time, and 10 launches at once → all ready;
 *  - the session status read (JupyterHub: GET /hub/api/users/<name>) and a notebook call through
 *    the proxy (GET …/api/status), each CONNECTIONS connections for SECONDS, ROUNDS rounds;
 *  - restart with 10 running sessions until the API answers, lists all 10 ready, and a notebook
 *    answers through the proxy.
 * JupyterHub runs where the Debian `jupyterhub` package is installed (`apt-get install jupyterhub`,
 * which brings Jupyter Notebook 6.4), with the dummy authenticator, SimpleLocalProcessSpawner and
 * node_modules/.bin/configurable-http-proxy; elsewhere it is skipped and the table has Trialhub's
 * column only. Trialhub runs from dist/ on a fresh database (TEST_DATABASE_URL or the local
 * PostgreSQL) with the local runtime. Figures are medians of the rounds, with min–max.
 * Env: BENCH_SECONDS (15), BENCH_CONNECTIONS (50), BENCH_ROUNDS (3), BENCH_JUPYTERHUB=0 (Trialhub only).
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, closeSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../apps/control-plane/src/common/free-port';
import { repoRoot } from '../../apps/control-plane/src/runtime/local/repo-root';
import { ControlPlaneProcess } from '../support/control-plane-process';
import { ApiClient } from '../support/http';
import { NotebookClient } from '../support/notebook-origin';
import { createDatabase, DEFAULT_ADMIN_DATABASE_URL } from '../support/database-admin';
import { waitFor } from '../support/wait';
import { percentile, runLoad, summarizeLoad } from './support/http-load';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const USERS = 10;
const root = repoRoot();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A load target: a URL on 127.0.0.1 and the headers a client of it sends. */
interface Target {
  url: string;
  headers: Record<string, string>;
}

/** What the benchmark does to a system; both peers implement it the way their users would. */
interface Peer {
  name: string;
  /** Starts on empty state; resolves when the API has answered. */
  coldStart(): Promise<number>;
  createUsers(n: number): Promise<void>;
  /** Asks for user i's notebook server; `ready` resolves when the API says it is ready. */
  launch(i: number): Promise<void>;
  ready(i: number): Promise<boolean>;
  stop(i: number): Promise<void>;
  /** Every user's server is listed ready by the API (admin view). */
  allReady(n: number): Promise<boolean>;
  readTarget(): Target;
  notebookTarget(): Promise<Target>;
  /** Stops the server process (sessions keep running) and starts it again; times from the start. */
  restart(n: number): Promise<{ api: number; listed: number; notebook: number }>;
  close(): Promise<void>;
}

/** Polls `ok` every 20 ms from now; milliseconds since `from` when it first held. */
async function timeUntil(what: string, from: number, ok: () => Promise<boolean>, timeoutMs = 120_000): Promise<number> {
  for (;;) {
    if (await ok().catch(() => false)) return Date.now() - from;
    if (Date.now() - from > timeoutMs) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

/** One GET answered 200 (node:http, not fetch: fetch drops a Host header, and notebook origins are named by Host). */
const answers = (url: string, headers: Record<string, string> = {}) =>
  new Promise<boolean>((resolve) => {
    const req = request(url, { headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
    });
    req.on('error', () => resolve(false));
    req.setTimeout(5000, () => req.destroy());
    req.end();
  });

// ---------------------------------------------------------------------------------------------
// Trialhub: dist/ as a child process, a fresh database, the local runtime.

class TrialhubPeer implements Peer {
  readonly name = 'Trialhub';
  private dir = mkdtempSync(join(tmpdir(), 'trialhub-peers-'));
  private db: { url: string; drop(): Promise<void> } | null = null;
  private process: ControlPlaneProcess | null = null;
  private port = 0;
  private url = '';
  private users: ApiClient[] = [];
  private sessions: string[] = [];
  private admin: ApiClient | null = null;

  private env(): Record<string, string> {
    return {
      NODE_ENV: 'production',
      LOCAL_RUNTIME_IN_PRODUCTION: 'allow',
      SESSION_SECRET: 'peers-benchmark-secret-peers-benchmark-secret',
      LOG_LEVEL: 'info',
      PORT: String(this.port),
      UPLOAD_PORT: '0',
      SCHEDULER_INTERVAL: '1s',
      DATABASE_URL: this.db!.url,
      TRIALHUB_DATA_DIR: join(this.dir, 'data'),
      ADMIN_EMAIL: 'admin@example.com',
      ADMIN_PASSWORD: 'peers-benchmark-admin',
    };
  }

  private async spawnProcess(): Promise<number> {
    this.process = new ControlPlaneProcess(this.env(), { logFile: join(this.dir, 'control-plane.log') });
    const started = Date.now();
    const listening = this.process.start();
    const ms = await timeUntil('Trialhub to answer', started, () => answers(`${this.url}/readyz`));
    await listening;
    return ms;
  }

  async coldStart(): Promise<number> {
    await this.close();
    this.dir = mkdtempSync(join(tmpdir(), 'trialhub-peers-'));
    this.db = await createDatabase(process.env.TEST_DATABASE_URL ?? DEFAULT_ADMIN_DATABASE_URL, 'trialhub_bench_peers');
    this.port = await freePort();
    this.url = `http://127.0.0.1:${this.port}`;
    return this.spawnProcess();
  }

  async createUsers(n: number): Promise<void> {
    this.admin = new ApiClient(this.url);
    const login = await this.admin.post('/api/auth/login', { email: 'admin@example.com', password: 'peers-benchmark-admin' });
    if (login.status !== 200) throw new Error(`admin log-in: ${login.status} ${login.text}`);
    // Enough slots for every launch at once (the cpu profile has 8).
    const profiles = await this.admin.get('/api/admin/profiles');
    const cpu = (profiles.body as Array<{ name: string; slots: number }>).find((p) => p.name === 'cpu');
    if (cpu && cpu.slots < n) {
      const r = await this.admin.put('/api/admin/profiles/cpu', { slots: n });
      if (r.status !== 200) throw new Error(`raising the cpu profile's slots: ${r.status} ${r.text}`);
    }
    this.users = [];
    for (let i = 0; i < n; i++) {
      const api = new ApiClient(this.url);
      await api.signup(`peer-${i}@example.com`);
      this.users.push(api);
    }
  }

  async launch(i: number): Promise<void> {
    const r = await this.users[i].post('/api/sessions', { profile: 'cpu' });
    if (r.status !== 202) throw new Error(`launch ${i}: ${r.status} ${r.text}`);
    this.sessions[i] = r.body.id;
  }

  async ready(i: number): Promise<boolean> {
    const r = await this.users[i].get(`/api/sessions/${this.sessions[i]}`);
    if (r.body?.state === 'failed') throw new Error(`session ${i} failed: ${r.body.reason}`);
    return r.body?.state === 'ready';
  }

  async stop(i: number): Promise<void> {
    await this.users[i].delete(`/api/sessions/${this.sessions[i]}`);
    await waitFor(`session ${i} to stop`, () => this.users[i].get(`/api/sessions/${this.sessions[i]}`).then((r) => r.body?.state), (s) => s === 'stopped' || s === 'failed', 60_000, 100);
  }

  async allReady(n: number): Promise<boolean> {
    const r = await this.admin!.get('/api/admin/sessions');
    return r.status === 200 && (r.body as Array<{ state: string }>).filter((s) => s.state === 'ready').length >= n;
  }

  readTarget(): Target {
    return { url: `${this.url}/api/sessions/${this.sessions[0]}`, headers: { cookie: `trialhub_session=${this.users[0].cookieValue('trialhub_session')}` } };
  }

  private notebook: NotebookClient | null = null;

  async notebookTarget(): Promise<Target> {
    if (!this.notebook || this.notebook.sessionId !== this.sessions[0]) {
      this.notebook = new NotebookClient(this.url, this.sessions[0]);
      await this.notebook.open(this.users[0], { loadPage: false });
    }
    return { url: `${this.url}/notebook/${this.sessions[0]}/api/status`, headers: { host: this.notebook.host, cookie: this.notebook.cookieHeader } };
  }

  async restart(n: number): Promise<{ api: number; listed: number; notebook: number }> {
    const notebook = await this.notebookTarget();
    await this.process!.kill('SIGTERM');
    this.process = new ControlPlaneProcess(this.env(), { logFile: join(this.dir, 'control-plane.log') });
    const started = Date.now();
    const listening = this.process.start();
    const [api, listed, through] = await Promise.all([
      timeUntil('Trialhub to answer', started, () => answers(`${this.url}/readyz`)),
      timeUntil('Trialhub to list every session ready', started, () => this.allReady(n)),
      timeUntil('a notebook to answer through Trialhub', started, () => answers(notebook.url, notebook.headers)),
    ]);
    await listening;
    return { api, listed, notebook: through };
  }

  async close(): Promise<void> {
    if (this.process && this.users.length) {
      // Stop what runs (the local runtime's notebooks outlive the control plane by design).
      await Promise.all(this.sessions.map((id, i) => (id ? this.users[i].delete(`/api/sessions/${id}`).catch(() => undefined) : undefined)));
      await waitFor('every session to stop', () => this.admin!.get('/api/admin/sessions').then((r) => (r.status === 200 ? (r.body as unknown[]).length : -1)), (live) => live === 0, 60_000, 200).catch(() => undefined);
    }
    await this.process?.kill('SIGTERM');
    this.process = null;
    this.users = [];
    this.sessions = [];
    this.notebook = null;
    await this.db?.drop();
    this.db = null;
    rmSync(this.dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// JupyterHub 3 with configurable-http-proxy, the dummy authenticator and local processes.

const JUPYTERHUB = '/usr/bin/jupyterhub';

/** Why JupyterHub cannot run here, or null when it can. */
function jupyterhubMissing(): string | null {
  const version = spawnSync(JUPYTERHUB, ['--version'], { encoding: 'utf8' });
  if (version.error || version.status !== 0) return 'the Debian package "jupyterhub" is not installed (apt-get install jupyterhub)';
  const chp = spawnSync(join(root, 'node_modules/.bin/configurable-http-proxy'), ['--version'], { encoding: 'utf8' });
  if (chp.error || chp.status !== 0) return 'node_modules/.bin/configurable-http-proxy is missing (npm install)';
  return null;
}

class JupyterHubPeer implements Peer {
  readonly name = 'JupyterHub';
  private dir = '';
  private hub: ChildProcess | null = null;
  private port = 0;
  private url = '';
  private readonly token = 'peers-benchmark-service-token-0123456789';
  private readonly version = spawnSync(JUPYTERHUB, ['--version'], { encoding: 'utf8' }).stdout.trim();

  get label(): string {
    return `JupyterHub ${this.version}`;
  }

  private get auth(): Record<string, string> {
    return { authorization: `token ${this.token}` };
  }

  private api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    return fetch(`${this.url}/hub/api${path}`, { method, headers: { ...this.auth, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined }).then(async (r) => {
      const text = await r.text();
      return { status: r.status, body: text ? JSON.parse(text) : null };
    });
  }

  private async writeConfig(): Promise<void> {
    const [hubPort, proxyApiPort] = [await freePort(), await freePort()];
    const py = (s: string) => JSON.stringify(s);
    mkdirSync(join(this.dir, 'home'), { recursive: true });
    writeFileSync(
      join(this.dir, 'jupyterhub_config.py'),
      [
        `c.JupyterHub.bind_url = ${py(this.url)}`,
        `c.JupyterHub.hub_ip = '127.0.0.1'`,
        `c.JupyterHub.hub_port = ${hubPort}`,
        `c.ConfigurableHTTPProxy.api_url = ${py(`http://127.0.0.1:${proxyApiPort}`)}`,
        `c.ConfigurableHTTPProxy.command = [${py(join(root, 'node_modules/.bin/configurable-http-proxy'))}]`,
        `c.ConfigurableHTTPProxy.auth_token = 'peers-benchmark-proxy-token'`,
        `c.ConfigurableHTTPProxy.pid_file = ${py(join(this.dir, 'proxy.pid'))}`,
        `c.JupyterHub.db_url = ${py(`sqlite:///${join(this.dir, 'jupyterhub.sqlite')}`)}`,
        `c.JupyterHub.cookie_secret_file = ${py(join(this.dir, 'cookie_secret'))}`,
        `c.JupyterHub.pid_file = ${py(join(this.dir, 'jupyterhub.pid'))}`,
        `c.JupyterHub.authenticator_class = 'dummy'`,
        `c.JupyterHub.spawner_class = 'simple'`,
        `c.SimpleLocalProcessSpawner.home_dir_template = ${py(join(this.dir, 'home', '{username}'))}`,
        // Root here: the notebook refuses to run as root without it.
        `c.Spawner.args = ['--allow-root']`,
        `c.Spawner.start_timeout = 120`,
        `c.Spawner.http_timeout = 120`,
        `c.JupyterHub.concurrent_spawn_limit = 0`,
        `c.JupyterHub.active_server_limit = 0`,
        // Sessions outlive a hub restart, as Trialhub's do.
        `c.JupyterHub.cleanup_servers = False`,
        `c.JupyterHub.services = [{'name': 'bench', 'api_token': ${py(this.token)}}]`,
        `c.JupyterHub.load_roles = [{'name': 'admin', 'services': ['bench']}]`,
      ].join('\n'),
    );
  }

  private async spawnHub(): Promise<number> {
    const log = openSync(join(this.dir, 'jupyterhub.log'), 'a');
    const started = Date.now();
    this.hub = spawn(JUPYTERHUB, ['-f', join(this.dir, 'jupyterhub_config.py')], { cwd: this.dir, stdio: ['ignore', log, log], env: { PATH: process.env.PATH, HOME: this.dir } });
    closeSync(log);
    const hub = this.hub;
    return timeUntil('JupyterHub to answer', started, async () => {
      if (hub.exitCode !== null) throw new Error(`JupyterHub exited with ${hub.exitCode}; see ${join(this.dir, 'jupyterhub.log')}`);
      return answers(`${this.url}/hub/api/`);
    });
  }

  async coldStart(): Promise<number> {
    await this.close();
    this.dir = mkdtempSync(join(tmpdir(), 'jupyterhub-peers-'));
    this.port = await freePort();
    this.url = `http://127.0.0.1:${this.port}`;
    await this.writeConfig();
    return this.spawnHub();
  }

  async createUsers(n: number): Promise<void> {
    const r = await this.api('POST', '/users', { usernames: Array.from({ length: n }, (_, i) => `peer${i}`) });
    if (r.status !== 201) throw new Error(`creating users: ${r.status} ${JSON.stringify(r.body)}`);
  }

  async launch(i: number): Promise<void> {
    const r = await this.api('POST', `/users/peer${i}/server`);
    if (r.status !== 201 && r.status !== 202) throw new Error(`launch ${i}: ${r.status} ${JSON.stringify(r.body)}`);
  }

  async ready(i: number): Promise<boolean> {
    const r = await this.api('GET', `/users/peer${i}`);
    return r.body?.servers?.['']?.ready === true;
  }

  async stop(i: number): Promise<void> {
    await this.api('DELETE', `/users/peer${i}/server`);
    await waitFor(`server ${i} to stop`, () => this.api('GET', `/users/peer${i}`).then((r) => Object.keys(r.body?.servers ?? {}).length), (n) => n === 0, 60_000, 100);
  }

  async allReady(n: number): Promise<boolean> {
    const r = await this.api('GET', '/users');
    return r.status === 200 && (r.body as Array<{ servers?: Record<string, { ready: boolean }> }>).filter((u) => u.servers?.['']?.ready).length >= n;
  }

  readTarget(): Target {
    return { url: `${this.url}/hub/api/users/peer0`, headers: this.auth };
  }

  async notebookTarget(): Promise<Target> {
    return { url: `${this.url}/user/peer0/api/status`, headers: this.auth };
  }

  async restart(n: number): Promise<{ api: number; listed: number; notebook: number }> {
    const notebook = await this.notebookTarget();
    await this.stopHub();
    const started = Date.now();
    const spawned = this.spawnHub();
    const [api, listed, through] = await Promise.all([
      spawned,
      timeUntil('JupyterHub to list every server ready', started, () => this.allReady(n)),
      timeUntil('a notebook to answer through JupyterHub', started, () => answers(notebook.url, notebook.headers)),
    ]);
    return { api, listed, notebook: through };
  }

  private async stopHub(): Promise<void> {
    const hub = this.hub;
    this.hub = null;
    if (!hub || hub.exitCode !== null) return;
    const exited = new Promise((r) => hub.once('exit', r));
    hub.kill('SIGTERM');
    await exited;
  }

  async close(): Promise<void> {
    if (this.hub && this.hub.exitCode === null) {
      const users = await this.api('GET', '/users').catch(() => ({ body: [] }));
      await Promise.all((users.body as Array<{ name: string; servers?: object }>).filter((u) => Object.keys(u.servers ?? {}).length).map((u) => this.stop(Number(u.name.slice(4))).catch(() => undefined)));
    }
    await this.stopHub();
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = '';
  }
}

// ---------------------------------------------------------------------------------------------
// The run: the same steps for each peer, then one table.

interface Figures {
  coldStart: number[];
  restartApi: number[];
  restartListed: number[];
  restartNotebook: number[];
  readRps: number[];
  readP99: number[];
  launchOne: number[];
  launchTen: number[];
  proxyRps: number[];
}

async function loadRounds(target: () => Promise<Target> | Target): Promise<Array<{ rps: number; p99: number }>> {
  const out: Array<{ rps: number; p99: number }> = [];
  for (let round = 0; round < ROUNDS; round++) {
    const t = await target();
    const report = await runLoad({ url: t.url, headers: t.headers, connections: CONNECTIONS, durationMs: SECONDS * 1000 });
    const s = summarizeLoad(report, SECONDS * 1000);
    if (s.errors) throw new Error(`${s.errors} of ${report.requests} requests to ${t.url} failed: ${JSON.stringify(report.statuses)}`);
    out.push(s);
  }
  return out;
}

/** The peer being measured: an interrupted run (Ctrl-C) still stops its servers and notebooks, which outlive it by design. */
let current: Peer | null = null;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping ${current?.name ?? 'nothing'} before leaving`);
    void (current?.close() ?? Promise.resolve()).finally(() => process.exit(130));
  });
}

async function measure(peer: Peer): Promise<Figures> {
  current = peer;
  const f: Figures = { coldStart: [], restartApi: [], restartListed: [], restartNotebook: [], readRps: [], readP99: [], launchOne: [], launchTen: [], proxyRps: [] };
  const step = (what: string) => console.log(`  ${peer.name}: ${what}`);
  const readyAll = (ids: number[], started: number) => timeUntil(`${ids.length} servers to be ready`, started, async () => (await Promise.all(ids.map((i) => peer.ready(i)))).every(Boolean), 300_000);
  const users = Array.from({ length: USERS }, (_, i) => i);
  try {
    for (let round = 0; round < ROUNDS; round++) {
      step(`cold start ${round + 1}/${ROUNDS}`);
      f.coldStart.push(await peer.coldStart());
    }
    await peer.createUsers(USERS);
    for (let round = 0; round < ROUNDS; round++) {
      step(`launch one ${round + 1}/${ROUNDS}`);
      const started = Date.now();
      await peer.launch(round);
      f.launchOne.push(await readyAll([round], started));
      await peer.stop(round);
    }
    for (let round = 0; round < ROUNDS; round++) {
      step(`${USERS} launches at once ${round + 1}/${ROUNDS}`);
      const started = Date.now();
      await Promise.all(users.map((i) => peer.launch(i)));
      f.launchTen.push(await readyAll(users, started));
      if (round < ROUNDS - 1) await Promise.all(users.map((i) => peer.stop(i)));
    }
    step(`session status reads, ${ROUNDS} × ${SECONDS} s`);
    for (const r of await loadRounds(() => peer.readTarget())) {
      f.readRps.push(r.rps);
      f.readP99.push(r.p99);
    }
    step(`notebook calls through the proxy, ${ROUNDS} × ${SECONDS} s`);
    for (const r of await loadRounds(() => peer.notebookTarget())) f.proxyRps.push(r.rps);
    for (let round = 0; round < ROUNDS; round++) {
      step(`restart with ${USERS} sessions ${round + 1}/${ROUNDS}`);
      const r = await peer.restart(USERS);
      f.restartApi.push(r.api);
      f.restartListed.push(r.listed);
      f.restartNotebook.push(r.notebook);
    }
  } finally {
    await peer.close();
    current = null;
  }
  return f;
}

interface Row {
  figure: string;
  key: keyof Figures;
  unit: 's' | 'req/s' | 'ms';
  higherIsBetter: boolean;
  /** Trialhub's own goal, where the issue sets one. */
  goal?: { text: string; met(trialhub: number, jupyterhub: number | undefined): boolean };
}

const ROWS: Row[] = [
  { figure: 'cold start, empty database -> API answers', key: 'coldStart', unit: 's', higherIsBetter: false, goal: { text: '< 1 s', met: (t) => t < 1000 } },
  { figure: 'restart with 10 sessions -> API answers', key: 'restartApi', unit: 's', higherIsBetter: false },
  { figure: 'restart with 10 sessions -> API lists all 10 ready', key: 'restartListed', unit: 's', higherIsBetter: false },
  { figure: 'restart -> a notebook answers through the proxy', key: 'restartNotebook', unit: 's', higherIsBetter: false },
  { figure: 'session status read, req/s', key: 'readRps', unit: 'req/s', higherIsBetter: true, goal: { text: '>= 1,600 and >= 10x JupyterHub', met: (t, j) => t >= 1600 && (j === undefined || t >= 10 * j) } },
  { figure: 'same, p99', key: 'readP99', unit: 'ms', higherIsBetter: false, goal: { text: '< 60 ms', met: (t) => t < 60 } },
  { figure: 'launch -> ready, one at a time', key: 'launchOne', unit: 's', higherIsBetter: false },
  { figure: '10 launches at once -> all ready', key: 'launchTen', unit: 's', higherIsBetter: false },
  { figure: 'notebook call through the proxy, req/s', key: 'proxyRps', unit: 'req/s', higherIsBetter: true },
];

function show(xs: number[], unit: Row['unit']): string {
  const f = (x: number) => (unit === 's' ? (x / 1000).toFixed(2) : unit === 'ms' ? x.toFixed(0) : Math.round(x).toLocaleString('en'));
  return `${f(percentile(xs, 50))} ${unit} (${f(Math.min(...xs))}-${f(Math.max(...xs))})`;
}

function printTable(trialhub: Figures, jupyterhub: Figures | null, hubLabel: string): void {
  const header = ['figure (median of N, min-max)', ...(jupyterhub ? [hubLabel] : []), 'Trialhub', ...(jupyterhub ? ['Trialhub / JupyterHub'] : []), 'goal'];
  const lines = ROWS.map((row) => {
    const t = percentile(trialhub[row.key], 50);
    const j = jupyterhub ? percentile(jupyterhub[row.key], 50) : undefined;
    const ratio = j === undefined ? '' : `${(t / j).toFixed(2)} (${(row.higherIsBetter ? t >= j : t <= j) ? 'better' : 'worse'})`;
    const goal = row.goal ? `${row.goal.text}: ${row.goal.met(t, j) ? 'met' : 'NOT met'}` : '';
    return [`${row.figure} [N=${trialhub[row.key].length}]`, ...(jupyterhub ? [show(jupyterhub[row.key], row.unit)] : []), show(trialhub[row.key], row.unit), ...(jupyterhub ? [ratio] : []), goal];
  });
  const widths = header.map((h, c) => Math.max(h.length, ...lines.map((l) => l[c].length)));
  const fmt = (cells: string[]) => `| ${cells.map((cell, c) => cell.padEnd(widths[c])).join(' | ')} |`;
  console.log(`\n${fmt(header)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const l of lines) console.log(fmt(l));
}

/**
 * What the load generator itself can reach on this machine: the same load against a child Node
 * process that answers a fixed small JSON and does nothing else. Both share the machine's cores,
 * so no server measured here can read faster than this.
 */
async function loadCeiling(): Promise<number[]> {
  const port = await freePort();
  const script = `require('node:http').createServer((q, r) => { r.setHeader('content-type', 'application/json'); r.end('{"state":"ready"}'); }).listen(${port}, '127.0.0.1', () => console.log('up'));`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((res, rej) => {
      child.stdout!.once('data', () => res());
      child.once('exit', (code) => rej(new Error(`the ceiling server exited with ${code}`)));
    });
    return (await loadRounds(() => ({ url: `http://127.0.0.1:${port}/`, headers: {} }))).map((r) => r.rps);
  } finally {
    child.kill();
  }
}

async function main(): Promise<void> {
  console.log(`Load: ${CONNECTIONS} connections, ${SECONDS} s, ${ROUNDS} rounds; ${USERS} users; one system after the other on this machine.`);
  const missing = process.env.BENCH_JUPYTERHUB === '0' ? 'BENCH_JUPYTERHUB=0' : jupyterhubMissing();
  const hub = missing ? null : new JupyterHubPeer();
  if (missing) console.log(`JupyterHub skipped: ${missing}.`);
  const jupyterhub = hub ? await measure(hub) : null;
  const trialhub = await measure(new TrialhubPeer());
  printTable(trialhub, jupyterhub, hub?.label ?? 'JupyterHub');
  const ceiling = await loadCeiling();
  const tenfold = jupyterhub ? `; 10x JupyterHub's session status reads would be ${Math.round(10 * percentile(jupyterhub.readRps, 50)).toLocaleString('en')} req/s` : '';
  console.log(`\nThe load generator's ceiling here: an HTTP server that does nothing answers ${show(ceiling, 'req/s')} [N=${ceiling.length}] under the same load${tenfold}.`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
