/**
 * Runs the example notebook headless, the way a session's Jupyter would: the TypeScript
 * kernel (tslab) installed into a temporary Jupyter path, the trainer found through
 * NODE_PATH=apps/trainer/notebook-modules (README), a small data set the test makes in the
 * working folder as pool-houses/, a tiny model the test saves as the feature extractor, and a
 * real HTTP server standing in for Trialhub's upload API.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeBottleneckDataset, writeImageDataset, writeTinyModel } from '../../../test/trainer-fixtures/synthetic';
import { requiredInCi } from '../../../test/support/required-in-ci';

const root = resolve(__dirname, '../../..');
const notebook = join(root, 'apps/trainer/notebooks/Classifying-House-And-Pool-Images.ipynb');
const hasNbconvert = spawnSync('jupyter-nbconvert', ['--version'], { encoding: 'utf8' }).status === 0;

/** The Python that runs Jupyter (the kernel spec is installed with it), from nbconvert's shebang. */
function jupyterPython(): string {
  const script = spawnSync('sh', ['-c', 'command -v jupyter-nbconvert'], { encoding: 'utf8' }).stdout.trim();
  const shebang = script ? readFileSync(script, 'utf8').split('\n')[0] : '';
  return shebang.startsWith('#!') ? shebang.slice(2).trim().split(/\s+/)[0] : 'python3';
}

interface NotebookOutput {
  output_type: string;
  text?: string | string[];
  data?: Record<string, string | string[]>;
  ename?: string;
  evalue?: string;
}
const joined = (t: string | string[] | undefined) => (Array.isArray(t) ? t.join('') : (t ?? ''));

requiredInCi('jupyter-nbconvert', hasNbconvert, 'apt-get install -y jupyter-nbconvert');

describe.skipIf(!hasNbconvert)('the example notebook, executed headless with the TypeScript kernel', () => {
  let dir: string;
  let server: Server;
  let uploads: { method: string; path: string; auth?: string; body: string }[];
  let run: { status: number | null; stderr: string };
  let outputs: NotebookOutput[][];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'trainer-notebook-'));
    const work = join(dir, 'work');
    const data = join(work, 'pool-houses');
    await writeImageDataset(join(data, 'images'), { red: 12, blue: 12 });
    await writeImageDataset(join(data, 'test_images'), { red: 1, blue: 1 }, { prefix: 'test-', seed: 99 });
    writeBottleneckDataset(join(data, 'bottlenecks'), { red: 30, blue: 30 });
    await writeTinyModel(join(dir, 'model'));
    // Jupyter runs a notebook in its own folder: the runtime puts it in the workspace (/data).
    copyFileSync(notebook, join(work, 'notebook.ipynb'));

    uploads = [];
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        uploads.push({ method: req.method!, path: req.url!, auth: req.headers.authorization, body: Buffer.concat(chunks).toString('utf8') });
        if (req.method === 'POST') res.writeHead(201, { 'Content-Type': 'application/json' }).end(JSON.stringify({ resultId: 'res-1', url: 'http://trialhub.test/r/share-1' }));
        else res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const uploadUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/uploads`;

    // The notebook imports the compiled library, as a session does.
    const build = spawnSync(process.execPath, [join(root, 'scripts/build.mjs'), '--if-stale'], { cwd: root, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`build failed: ${build.stderr}`);
    const kernel = spawnSync(join(root, 'node_modules/.bin/tslab'), ['install', `--python=${jupyterPython()}`, `--binary=${join(root, 'node_modules/.bin/tslab')}`, `--prefix=${join(dir, 'jupyter')}`], { encoding: 'utf8' });
    if (kernel.status !== 0) throw new Error(`tslab install failed: ${kernel.stderr}`);

    // nbconvert runs in a child process; the upload server answers from this one, so async.
    run = await new Promise((done) => {
      const child = spawn(
        'jupyter-nbconvert',
        ['--to', 'notebook', '--execute', '--ExecutePreprocessor.timeout=240', '--output-dir', dir, '--output', 'executed.ipynb', join(work, 'notebook.ipynb')],
        {
          cwd: work,
          env: {
            ...process.env,
            JUPYTER_PATH: join(dir, 'jupyter/share/jupyter'),
            NODE_PATH: join(root, 'apps/trainer/notebook-modules'),
            TRIALHUB_TRAINER_CACHE: join(dir, 'cache'),
            TRIALHUB_FEATURE_MODEL: join(dir, 'model'),
            TRIALHUB_FEATURE_OUTPUT: 'features',
            TRIALHUB_UPLOAD_URL: uploadUrl,
            TRIALHUB_UPLOAD_TOKEN: 'upload-token',
          },
        },
      );
      let stderr = '';
      child.stderr.on('data', (c) => (stderr += c));
      child.on('close', (status) => done({ status, stderr }));
    });
    const executed = join(dir, 'executed.ipynb');
    outputs = existsSync(executed) ? (JSON.parse(readFileSync(executed, 'utf8')).cells as { outputs?: NotebookOutput[] }[]).map((c) => c.outputs ?? []) : [];
  }, 300_000);

  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  const text = () => outputs.flat().map((o) => joined(o.text)).join('');
  const html = () => outputs.flat().map((o) => joined(o.data?.['text/html'])).join('');

  it('runs every cell without an error', () => {
    // nbconvert's own message ends with the failing cell's source.
    expect(run.status, run.stderr.slice(-2000)).toBe(0);
    expect(outputs.flat().filter((o) => o.output_type === 'error')).toEqual([]);
  });

  it('uses the data set in its working folder and shows some images', () => {
    expect(text()).toContain('found ');
    expect(text()).toMatch(/training images\s+blue: 12, red: 12/);
    expect(html().match(/<img src="data:image\/jpeg;base64,/g)?.length).toBeGreaterThanOrEqual(8);
  });

  it('trains on the stored bottlenecks in both modes and on the images through the model, with progress', () => {
    expect(text()).toContain('seed-compatible mode, classes: blue, red');
    expect(text()).toContain('default mode, classes: blue, red');
    expect(text()).toContain('feature extractor: TRIALHUB_FEATURE_MODEL');
    expect(text()).toMatch(/features: 24\/24 images \(0 from the cache\)/);
    expect(text()).toContain('bottlenecks: 24 extracted now, 0 from the cache');
    expect(text()).toMatch(/step 500\/500: training accuracy/);
    const metrics = JSON.parse(readFileSync(join(dir, 'work/results/pool-classifier/metrics.json'), 'utf8'));
    expect(metrics).toMatchObject({ classes: ['blue', 'red'], mode: 'default', steps: 500 });
    expect(metrics.featureModel.featureOutput).toBe('features');
    for (const run of ['seed-compatible', 'default']) expect(existsSync(join(dir, 'work/results', run, 'metrics.json'))).toBe(true);
  });

  it('prints honest numbers: the headline with its N and interval, each accuracy with its interval, precision and recall', () => {
    const metrics = JSON.parse(readFileSync(join(dir, 'work/results/pool-classifier/metrics.json'), 'utf8'));
    expect(metrics.headline.estimate).toBe('cross-validation'); // 24 photos: a test part of a handful
    expect(text()).toContain(metrics.headline.text);
    expect(html()).toContain('95 % interval');
    expect(html()).toContain('5-fold cross-validation');
    expect(html()).toContain('precision');
    // The stored-bottleneck run says which estimate it used (60 bottlenecks here: cross-validation).
    expect(text()).toMatch(/default mode: \d+ % accuracy \(95 % interval \d+–\d+ %, (tested on \d+ held-out|5-fold cross-validation on \d+) examples\)/);
  });

  it('shows the curves, the confusion matrix and the before/after table of the test images', () => {
    expect(html().match(/<svg/g)?.length).toBeGreaterThanOrEqual(2);
    expect(html()).toContain('actual ↓ / predicted →');
    expect(html()).toContain('before training');
    expect(html()).toContain('test-00.png');
    expect(text()).toMatch(/\d of 2 labelled test images classified correctly after training/);
  });

  it('saves the results to Trialhub and prints the share link', () => {
    expect(text()).toContain('Saved to Trialhub: http://trialhub.test/r/share-1');
    const puts = uploads.filter((u) => u.method === 'PUT').map((u) => u.path.replace(/^\/api\/uploads\/[^/]+\//, ''));
    expect(puts).toEqual(expect.arrayContaining(['metrics.json', 'report.html', 'before-after.json', 'labels.txt', 'model/model.json']));
    expect(uploads.every((u) => u.auth === 'Bearer upload-token')).toBe(true);
    const complete = uploads.find((u) => u.method === 'POST');
    expect(complete?.path).toMatch(/^\/api\/uploads\/pool-classifier-\d{8}-\d{6}\/complete$/);
    expect(JSON.parse(complete!.body).title).toMatch(/^Houses with and without a pool, photos, default mode: \d+ % accuracy \(95 % interval \d+–\d+ %, 5-fold cross-validation on \d+ images\)$/);
  });
});
