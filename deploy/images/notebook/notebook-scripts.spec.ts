import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { existsSync, mkdirSync, readdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SAVED_MARKER } from '../../../apps/trainer/src/saved-marker';
import { uploadResults } from '../../../apps/trainer/src/upload';
import { NOTEBOOK_UI_ENV, notebookUiValue } from '../../../apps/control-plane/src/runtime/kubernetes/manifests';
import { notebookUiFiles } from '../../../apps/control-plane/src/runtime/notebook-ui';

const ROOT = resolve(__dirname, '../../..');
const BIN = join(__dirname, 'bin');
const scratch = () => mkdtempSync(join(tmpdir(), 'trialhub-notebook-image-'));

function run(script: string, env: NodeJS.ProcessEnv, args: string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(join(BIN, script), args, { env: { PATH: process.env.PATH, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const body = (req: IncomingMessage) =>
  new Promise<Buffer>((ok) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => ok(Buffer.concat(chunks)));
  });

// The scripts load the compiled trainer, as the image does from /opt/trialhub/app/dist.
beforeAll(() => {
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), '--if-stale'], { encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`node scripts/build.mjs failed:\n${build.stderr}`);
}, 300_000);

describe('start-notebook (the image\'s entry point), with a real Jupyter Notebook', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    child?.kill('SIGTERM');
    child = undefined;
  });

  const jupyter = spawnSync('jupyter', ['notebook', '--version'], { encoding: 'utf8' });
  const requireJupyter = () => {
    if (jupyter.error || jupyter.status !== 0) {
      throw new Error('Jupyter Notebook is needed to test start-notebook and was not found. Install it: apt-get install -y jupyter-notebook (.ci/run does).');
    }
  };

  function fakeImageHome(): string {
    const home = scratch();
    mkdirSync(join(home, 'notebooks'), { recursive: true });
    writeFileSync(join(home, 'notebooks', 'Example.ipynb'), JSON.stringify({ cells: [], metadata: {}, nbformat: 4, nbformat_minor: 5 }));
    mkdirSync(join(home, 'example-data/pool-houses/images/pool'), { recursive: true });
    writeFileSync(join(home, 'example-data/pool-houses/images/pool/house.jpg'), 'jpeg bytes');
    writeFileSync(join(home, 'example-data/pool-houses/.download-complete'), 'baked\n');
    return home;
  }

  async function start(env: NodeJS.ProcessEnv): Promise<string> {
    requireJupyter();
    const port = 20000 + Math.floor(Math.random() * 20000);
    const extra = process.getuid?.() === 0 ? ['--allow-root'] : []; // the image runs as uid 1000; tests may run as root
    child = spawn(join(BIN, 'start-notebook'), extra, { env: { PATH: process.env.PATH, HOME: scratch(), TRIALHUB_NOTEBOOK_PORT: String(port), ...env }, stdio: 'ignore' });
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      try {
        const answer = await fetch(`http://127.0.0.1:${port}${env.TRIALHUB_BASE_URL}api`);
        if (answer.ok) return `http://127.0.0.1:${port}`;
      } catch {
        // not listening yet
      }
      if (child.exitCode !== null) throw new Error(`start-notebook exited with ${child.exitCode}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error('Jupyter did not answer within 30 s');
  }

  it('serves Jupyter under the session\'s base URL, answering the readiness probe and requiring the token', async () => {
    const data = scratch();
    const base = '/notebook/3f1c2a4e-8b7d-4c1a-9e2f-0a1b2c3d4e5f/';
    const origin = await start({ JUPYTER_TOKEN: 'session-token', TRIALHUB_BASE_URL: base, TRIALHUB_NOTEBOOK_DIR: data, TRIALHUB_HOME: fakeImageHome() });
    expect((await fetch(`${origin}${base}api`)).status).toBe(200);
    expect((await fetch(`${origin}${base}api/contents`)).status).toBe(403);
    expect((await fetch(`${origin}${base}api/contents`, { headers: { Authorization: 'token wrong' } })).status).toBe(403);
    const listing = await fetch(`${origin}${base}api/contents`, { headers: { Authorization: 'token session-token' } });
    expect(listing.status).toBe(200);
    const names = ((await listing.json()) as { content: Array<{ name: string }> }).content.map((c) => c.name).sort();
    expect(names).toEqual(['Example.ipynb', 'pool-houses']);
    expect((await fetch(`${origin}/api`)).status).toBe(404);
  });

  it('seeds a trial\'s workspace once: the example notebook and data set, never over the user\'s own changes', async () => {
    const data = scratch();
    const home = fakeImageHome();
    writeFileSync(join(data, 'Example.ipynb'), 'the user\'s edited notebook');
    await start({ JUPYTER_TOKEN: 't', TRIALHUB_BASE_URL: '/notebook/a/', TRIALHUB_NOTEBOOK_DIR: data, TRIALHUB_HOME: home });
    expect(readFileSync(join(data, 'Example.ipynb'), 'utf8')).toBe('the user\'s edited notebook');
    expect(readFileSync(join(data, 'pool-houses/images/pool/house.jpg'), 'utf8')).toBe('jpeg bytes');
    expect(existsSync(join(data, 'pool-houses/.download-complete'))).toBe(true);
    expect(existsSync(join(data, '.pool-houses.partial'))).toBe(false);
  });

  it('writes the pod\'s notebook UI files (TRIALHUB_NOTEBOOK_UI) into Jupyter\'s config folder, which Jupyter then serves', async () => {
    const base = '/notebook/3f1c2a4e-8b7d-4c1a-9e2f-0a1b2c3d4e5f/';
    const sessionPage = 'https://trialhub.example/sessions/3f1c2a4e-8b7d-4c1a-9e2f-0a1b2c3d4e5f';
    const tmp = scratch();
    const origin = await start({ JUPYTER_TOKEN: 't', TRIALHUB_BASE_URL: base, TRIALHUB_NOTEBOOK_DIR: scratch(), TRIALHUB_HOME: fakeImageHome(), TMPDIR: tmp, [NOTEBOOK_UI_ENV]: notebookUiValue(sessionPage) });
    const expected = notebookUiFiles(sessionPage);
    for (const [file, text] of Object.entries(expected)) expect(readFileSync(join(tmp, `jupyter-config-${process.getuid!()}`, file), 'utf8')).toBe(text);
    const served = await fetch(`${origin}${base}custom/custom.js`, { headers: { Authorization: 'token t' } });
    expect(served.status).toBe(200);
    expect(await served.text()).toBe(expected['custom/custom.js']);
    expect(await (await fetch(`${origin}${base}custom/custom.css`, { headers: { Authorization: 'token t' } })).text()).toBe(expected['custom/custom.css']);
  });

  it('refuses notebook UI files outside custom/, or a value that is not base64 JSON', async () => {
    for (const value of [Buffer.from(JSON.stringify({ '../jupyter_notebook_config.py': 'c = 1' })).toString('base64'), 'not base64 json']) {
      const result = await run('start-notebook', { JUPYTER_TOKEN: 't', TRIALHUB_NOTEBOOK_DIR: scratch(), TRIALHUB_BASE_URL: '/notebook/a/', JUPYTER_CONFIG_DIR: scratch(), [NOTEBOOK_UI_ENV]: value });
      expect(result.code).toBe(64);
      expect(result.stderr).toContain('TRIALHUB_NOTEBOOK_UI must be base64 of a JSON object mapping custom/<file> to its text');
    }
  });

  it('refuses to start without a token, saying where the token comes from', async () => {
    const result = await run('start-notebook', { TRIALHUB_NOTEBOOK_DIR: scratch(), TRIALHUB_BASE_URL: '/notebook/a/' });
    expect(result.code).toBe(64);
    expect(result.stderr).toContain('JUPYTER_TOKEN is not set');
  });

  it('says so when the workspace is not mounted', async () => {
    const result = await run('start-notebook', { JUPYTER_TOKEN: 't', TRIALHUB_NOTEBOOK_DIR: join(scratch(), 'missing') });
    expect(result.code).toBe(64);
    expect(result.stderr).toMatch(/missing or not writable .* trial's volume/);
  });
});

describe('trialhub-save (the session pod\'s preStop hook), against an upload server speaking the control plane\'s protocol', () => {
  interface Upload {
    files: Map<string, Buffer>;
    title?: string;
    types: Map<string, string>;
  }
  const runs = new Map<string, Upload>();
  let refuseWith: number | null = null;
  let requests = 0;
  const server = createServer(async (req, res) => {
    requests += 1;
    const answer = (status: number, json: object) => res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(json));
    const data = await body(req);
    if (refuseWith) return answer(refuseWith, { statusCode: refuseWith, message: 'The upload token has expired: the session ended.' });
    if (req.headers.authorization !== 'Bearer upload-token') return answer(401, { message: 'bad token' });
    const path = decodeURI(new URL(req.url!, 'http://x').pathname).replace(/^\/api\/uploads\//, '');
    const [run, ...rest] = path.split('/');
    const upload: Upload = runs.get(run) ?? { files: new Map(), types: new Map() };
    runs.set(run, upload);
    if (req.method === 'PUT') {
      upload.files.set(rest.join('/'), data);
      upload.types.set(rest.join('/'), String(req.headers['content-type']));
      return answer(201, { name: rest.join('/'), size: data.length });
    }
    if (req.method === 'POST' && rest.join('/') === 'complete') {
      upload.title = JSON.parse(data.toString()).title;
      return answer(201, { resultId: `result-${run}`, url: `https://trialhub.example.com/share/${run}` });
    }
    return answer(404, { message: 'no such route' });
  });
  let uploadUrl = '';
  beforeAll(async () => {
    uploadUrl = `${await listen(server)}/api/uploads`;
  });
  afterAll(() => server.close());
  afterEach(() => {
    runs.clear();
    refuseWith = null;
    requests = 0;
  });

  function workspaceWithRuns(): string {
    const data = scratch();
    const write = (path: string, content: string) => {
      mkdirSync(join(data, path, '..'), { recursive: true });
      writeFileSync(join(data, path), content);
    };
    write('results/pool-classifier/metrics.json', JSON.stringify({ classes: ['pool', 'no-pool'], testAccuracy: 0.875, validationAccuracy: 0.8 }));
    write('results/pool-classifier/model/model.json', '{"format":"layers-model"}');
    write('results/pool-classifier/model/weights.bin', 'binary weights');
    write('results/pool-classifier/report.html', '<h1>report</h1>');
    write('results/experiments/seed-compatible/metrics.json', JSON.stringify({ classes: ['pool', 'no-pool'], testAccuracy: 0.846 }));
    write('results/experiments/seed-compatible/labels.txt', 'pool\nno-pool\n');
    write('results/half-done/history.json', '[]'); // no metrics.json: the run did not finish
    write('pool-houses/images/pool/a.jpg', 'not a result');
    return data;
  }

  const saveEnv = (data: string) => ({ TRIALHUB_UPLOAD_URL: uploadUrl, TRIALHUB_UPLOAD_TOKEN: 'upload-token', TRIALHUB_NOTEBOOK_DIR: data, TRIALHUB_APP_DIR: ROOT });

  it('uploads every finished run in results/, file by file, and completes each with a readable title', async () => {
    const data = workspaceWithRuns();
    const result = await run('trialhub-save', saveEnv(data));
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const names = [...runs.keys()].sort();
    expect(names).toEqual([expect.stringMatching(/^experiments-seed-compatible-\d{8}-\d{6}$/), expect.stringMatching(/^pool-classifier-\d{8}-\d{6}$/)]);
    const classifier = runs.get(names[1])!;
    expect([...classifier.files.keys()].sort()).toEqual(['metrics.json', 'model/model.json', 'model/weights.bin', 'report.html']);
    expect(classifier.files.get('model/weights.bin')!.toString()).toBe('binary weights');
    expect(classifier.types.get('report.html')).toContain('text/html');
    expect(classifier.title).toBe('pool vs no-pool (87.5 % test accuracy), saved when the session stopped');
    expect(result.stdout).toContain(`https://trialhub.example.com/share/${names[1]}`);
  });

  it('does not upload a run twice, but does upload it again once it was retrained', async () => {
    const data = workspaceWithRuns();
    expect((await run('trialhub-save', saveEnv(data))).code).toBe(0);
    // Each run folder records its result (the trainer's .trialhub-saved marker), nothing else does.
    for (const folder of ['pool-classifier', 'experiments/seed-compatible']) {
      const marker = JSON.parse(readFileSync(join(data, 'results', folder, SAVED_MARKER), 'utf8'));
      expect(marker).toMatchObject({ format: 1, resultId: `result-${marker.runName}`, fingerprint: expect.stringMatching(/^sha256:/) });
      expect(runs.has(marker.runName)).toBe(true);
    }
    expect(existsSync(join(data, '.trialhub'))).toBe(false);
    requests = 0;
    const again = await run('trialhub-save', saveEnv(data));
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('all 2 run(s)');
    expect(requests).toBe(0);

    // Retrained in the same folder: new metrics.
    writeFileSync(join(data, 'results/pool-classifier/metrics.json'), JSON.stringify({ classes: ['pool', 'no-pool'], testAccuracy: 0.9 }));
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(data, 'results/pool-classifier/metrics.json'), later, later);
    runs.clear();
    const retrained = await run('trialhub-save', saveEnv(data));
    expect(retrained.code).toBe(0);
    expect([...runs.keys()]).toEqual([expect.stringMatching(/^pool-classifier-/)]);
    expect(retrained.stdout).toContain('retrained since it was last saved');
    expect([...runs.values()][0].files.has(SAVED_MARKER)).toBe(false);
  });

  it('skips a run the notebook saved already (the same marker, written by the trainer\'s upload)', async () => {
    const data = workspaceWithRuns();
    // The notebook's save cell: the trainer's upload client, with the session's credentials.
    await uploadResults({ dir: join(data, 'results/pool-classifier'), uploadUrl, token: 'upload-token', runName: 'pool-classifier-from-the-notebook' });
    runs.clear();
    const result = await run('trialhub-save', saveEnv(data));
    expect(result.code, result.stdout).toBe(0);
    expect([...runs.keys()]).toEqual([expect.stringMatching(/^experiments-seed-compatible-\d{8}-\d{6}$/)]);
    expect(result.stdout).toContain('1 run(s) were saved already: results/pool-classifier');
  });

  it('leaves the runs for the next session and exits non-zero (visible in the pod\'s events) when the control plane refuses', async () => {
    refuseWith = 401;
    const data = workspaceWithRuns();
    const result = await run('trialhub-save', saveEnv(data));
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('could not save results/pool-classifier');
    expect(result.stdout).toContain('The upload token has expired');
    expect(existsSync(join(data, 'results/pool-classifier', SAVED_MARKER))).toBe(false);
  });

  it('does nothing, successfully, when there is nothing to save or nowhere to save it', async () => {
    const empty = await run('trialhub-save', saveEnv(scratch()));
    expect(empty.code).toBe(0);
    expect(empty.stdout).toContain('no training runs');
    const data = workspaceWithRuns();
    const unset = await run('trialhub-save', { TRIALHUB_NOTEBOOK_DIR: data, TRIALHUB_APP_DIR: ROOT });
    expect(unset.code).toBe(0);
    expect(unset.stdout).toContain('TRIALHUB_UPLOAD_URL and TRIALHUB_UPLOAD_TOKEN are not set');
    expect(requests).toBe(0);
  });

  it('says so, and fails, when the image has no compiled trainer to save with', async () => {
    const result = await run('trialhub-save', { ...saveEnv(workspaceWithRuns()), TRIALHUB_APP_DIR: scratch() });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/the trainer is not installed at .*save-unsaved-runs\.js/);
    expect(requests).toBe(0);
  });
});

describe('bake-offline-assets (image build step)', () => {
  // A stand-in for GitHub: the tree API and raw files of the seed's repository.
  const files: Record<string, string> = {
    'data/images/pool/house-1.jpg': 'jpeg 1',
    'data/images/no-pool/house-2.jpg': 'jpeg 2',
    'data/bottlenecks/pool/house-1.jpg.txt': '0.1,0.2,0.3',
    'data/test_images/pool/test-1.jpg': 'jpeg 3',
    'data/README.md': 'not wanted',
  };
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url!, 'http://x').pathname);
    if (path.startsWith('/repos/')) {
      const tree = Object.keys(files).map((p) => ({ path: p, type: 'blob' }));
      return res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ tree, truncated: false }));
    }
    const file = Object.keys(files).find((p) => path.endsWith(`/${p}`));
    if (!file) return res.writeHead(404).end('not found');
    res.writeHead(200).end(files[file]);
  });
  let origin = '';
  beforeAll(async () => {
    origin = await listen(server);
  });
  afterAll(() => server.close());

  it('downloads the example data set and unpacks the Inception v3 model into the image folder', async () => {
    const out = scratch();
    const result = await run('bake-offline-assets', { TRIALHUB_APP_DIR: ROOT, TRIALHUB_EXAMPLE_DATA_API: origin, TRIALHUB_EXAMPLE_DATA_RAW: origin }, [out]);
    expect(result.code, result.stderr).toBe(0);
    const data = join(out, 'example-data/pool-houses');
    expect(readFileSync(join(data, 'images/pool/house-1.jpg'), 'utf8')).toBe('jpeg 1');
    expect(readFileSync(join(data, 'bottlenecks/pool/house-1.jpg.txt'), 'utf8')).toBe('0.1,0.2,0.3');
    expect(readFileSync(join(data, 'test_images/pool/test-1.jpg'), 'utf8')).toBe('jpeg 3');
    expect(existsSync(join(data, 'README.md'))).toBe(false);
    expect(existsSync(join(data, '.download-complete'))).toBe(true);
    const model = JSON.parse(readFileSync(join(out, 'models/inception_v3/model.json'), 'utf8'));
    expect(model.format).toBe('layers-model');
    for (const shard of model.weightsManifest.flatMap((g: { paths: string[] }) => g.paths)) expect(existsSync(join(out, 'models/inception_v3', shard)), shard).toBe(true);
    rmSync(out, { recursive: true, force: true });
  }, 120_000);

  it('bakes in the example data set that ships with the product, with its notice, when no mirror is named', async () => {
    const out = scratch();
    const result = await run('bake-offline-assets', { TRIALHUB_APP_DIR: ROOT }, [out]);
    expect(result.code, result.stderr).toBe(0);
    const data = join(out, 'example-data/pool-houses');
    const shipped = join(ROOT, 'apps/trainer/example-data/pool-houses');
    for (const part of ['images/house_with_pool', 'images/house_without_pool', 'test_images/house_with_pool', 'bottlenecks/house_without_pool']) {
      expect(readdirSync(join(data, part)).sort(), part).toEqual(readdirSync(join(shipped, part)).sort());
    }
    expect(readFileSync(join(data, 'NOTICE'), 'utf8')).toContain('Apache License, Version 2.0');
    expect(existsSync(join(data, '.download-started'))).toBe(false);
    rmSync(out, { recursive: true, force: true });
  }, 120_000);

  it('says what to do when the trainer is not built there', async () => {
    const result = await run('bake-offline-assets', { TRIALHUB_APP_DIR: scratch() }, [scratch()]);
    expect(result.code).toBe(66);
    expect(result.stderr).toContain('build the trainer first');
  });
});
