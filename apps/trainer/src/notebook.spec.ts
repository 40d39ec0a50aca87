import { createServer, Server } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { notebookProgress, saveResultsToTrialhub } from './notebook';
import * as library from './index';
import * as notebookModule from './notebook';

describe('the notebook module', () => {
  it('offers everything the library exports, plus the notebook helpers', () => {
    for (const name of Object.keys(library)) expect(notebookModule).toHaveProperty(name);
    for (const name of ['ensureExampleData', 'resolveNotebookModel', 'trainingCurves', 'beforeAfterTable', 'imageGallery', 'notebookProgress', 'saveResultsToTrialhub']) {
      expect(typeof (notebookModule as Record<string, unknown>)[name]).toBe('function');
    }
  });
});

describe('notebookProgress', () => {
  it('prints a line per tenth of extraction and training, warnings and the result', () => {
    const lines: string[] = [];
    const sink = notebookProgress((l) => lines.push(l));
    sink({ type: 'start', backend: 'wasm', mode: 'default', classes: ['a', 'b'] });
    for (let done = 0; done <= 20; done++) sink({ type: 'extract', done, total: 20, cached: 0 });
    // The pipeline reports the last count twice (images, then the explicit test set); printed once.
    sink({ type: 'extract', done: 20, total: 20, cached: 0 });
    for (let step = 0; step < 100; step++) sink({ type: 'step', step, steps: 100, trainAccuracy: 0.5, crossEntropy: 0.7, validationAccuracy: step % 10 === 9 ? 0.6 : undefined });
    sink({ type: 'warning', message: 'skipped 1 image' });
    sink({ type: 'done', testAccuracy: 0.875, validationAccuracy: 0.8, trainAccuracy: 0.9, seconds: 1.23, out: '/tmp/x' });
    expect(lines[0]).toBe('backend wasm, default mode, classes: a, b');
    expect(lines.filter((l) => l.startsWith('features:'))).toHaveLength(11);
    const steps = lines.filter((l) => l.startsWith('step '));
    expect(steps).toHaveLength(11);
    expect(steps[1]).toBe('step 10/100: training accuracy 50.0 %, cross-entropy 0.700, validation accuracy 60.0 %');
    expect(lines).toContain('warning: skipped 1 image');
    expect(lines.at(-1)).toBe('done in 1.2 s: test accuracy 87.5 %');
    sink({ type: 'done', testAccuracy: 1, validationAccuracy: 1, trainAccuracy: 1, seconds: 1.23, out: '/tmp/x', testCount: 3, headline: '89 % accuracy (95 % interval 75–96 %, 5-fold cross-validation on 37 images)' });
    // The headline with its N, not "100 %" on 3 test items.
    expect(lines.at(-1)).toBe('done in 1.2 s: 89 % accuracy (95 % interval 75–96 %, 5-fold cross-validation on 37 images)');
  });
});

describe('saveResultsToTrialhub', () => {
  let dir: string;
  let server: Server;
  let url: string;
  let seen: { method: string; path: string; auth?: string; body: string }[];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'trainer-save-'));
    mkdirSync(join(dir, 'run/model'), { recursive: true });
    writeFileSync(join(dir, 'run/metrics.json'), '{"testAccuracy":1}');
    writeFileSync(join(dir, 'run/model/model.json'), '{}');
    seen = [];
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        seen.push({ method: req.method!, path: req.url!, auth: req.headers.authorization, body: Buffer.concat(chunks).toString() });
        if (req.method === 'POST') res.writeHead(201, { 'Content-Type': 'application/json' }).end(JSON.stringify({ resultId: 'r1', url: 'http://trialhub.test/s/abc' }));
        else res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/uploads`;
  });

  afterEach(async () => {
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it('without the environment Trialhub sets, it uploads nothing and says why', async () => {
    const lines: string[] = [];
    const outcome = await saveResultsToTrialhub({ dir: join(dir, 'run'), title: 't', env: { TRIALHUB_UPLOAD_URL: url }, print: (l) => lines.push(l) });
    expect(outcome).toMatchObject({ saved: false });
    expect(lines[0]).toMatch(/TRIALHUB_UPLOAD_URL and TRIALHUB_UPLOAD_TOKEN are not set/);
    expect(seen).toEqual([]);
  });

  it('with it, uploads every file, completes with the title and prints the share link', async () => {
    const lines: string[] = [];
    const outcome = await saveResultsToTrialhub({ dir: join(dir, 'run'), title: 'Pools', runName: 'nb-1', env: { TRIALHUB_UPLOAD_URL: url, TRIALHUB_UPLOAD_TOKEN: 'tok' }, print: (l) => lines.push(l) });
    expect(outcome).toEqual({ saved: true, resultId: 'r1', url: 'http://trialhub.test/s/abc', files: 2, alreadySaved: false });
    expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual(['PUT /api/uploads/nb-1/metrics.json', 'PUT /api/uploads/nb-1/model/model.json', 'POST /api/uploads/nb-1/complete']);
    expect(seen.every((s) => s.auth === 'Bearer tok')).toBe(true);
    expect(JSON.parse(seen[2].body)).toEqual({ title: 'Pools' });
    expect(lines.at(-1)).toBe('Saved to Trialhub: http://trialhub.test/s/abc (open it in the portal, where Share makes a link anyone can open).');
  });

  it('keeps the notebook with the run as notebook.ipynb, copied only for a new save', async () => {
    const env = { TRIALHUB_UPLOAD_URL: url, TRIALHUB_UPLOAD_TOKEN: 'tok' };
    const notebook = join(dir, 'Example.ipynb');
    writeFileSync(notebook, '{"cells":[],"nbformat":4,"nbformat_minor":5,"metadata":{}}');
    await saveResultsToTrialhub({ dir: join(dir, 'run'), title: 'Pools', notebook, env, print: () => undefined });
    expect(seen.map((s) => s.path)).toContain('/api/uploads/' + seen[0].path.split('/')[3] + '/notebook.ipynb');
    // An autosave of the notebook alone does not make re-running the cell save a second result.
    writeFileSync(notebook, '{"cells":[{"cell_type":"markdown","source":"x","metadata":{}}],"nbformat":4,"nbformat_minor":5,"metadata":{}}');
    seen = [];
    const again = await saveResultsToTrialhub({ dir: join(dir, 'run'), title: 'Pools', notebook, env, print: () => undefined });
    expect(again).toMatchObject({ alreadySaved: true });
    expect(seen).toEqual([]);
    const lines: string[] = [];
    rmSync(join(dir, 'run', '.trialhub-saved'));
    await saveResultsToTrialhub({ dir: join(dir, 'run'), title: 'Pools', notebook: join(dir, 'missing.ipynb'), env, print: (l) => lines.push(l) });
    expect(lines[0]).toMatch(/^note: the notebook .*missing\.ipynb was not kept with the run/);
  });

  it('run again on the same files, answers the result saved before; on a retrained run, saves it anew', async () => {
    const env = { TRIALHUB_UPLOAD_URL: url, TRIALHUB_UPLOAD_TOKEN: 'tok' };
    await saveResultsToTrialhub({ dir: join(dir, 'run'), title: 'Pools', env, print: () => undefined });
    seen = [];
    const lines: string[] = [];
    const again = await saveResultsToTrialhub({ dir: join(dir, 'run'), title: 'Pools', env, print: (l) => lines.push(l) });
    expect(again).toEqual({ saved: true, resultId: 'r1', url: 'http://trialhub.test/s/abc', files: 2, alreadySaved: true });
    expect(seen).toEqual([]);
    expect(lines).toEqual(['Already saved to Trialhub, and nothing changed since. Link: http://trialhub.test/s/abc']);

    writeFileSync(join(dir, 'run/metrics.json'), '{"testAccuracy":0.5}');
    const retrained = await saveResultsToTrialhub({ dir: join(dir, 'run'), title: 'Pools', env, print: () => undefined });
    expect(retrained).toMatchObject({ saved: true, alreadySaved: false });
    expect(seen.map((s) => s.method)).toEqual(['PUT', 'PUT', 'POST']);
    seen = [];
    expect(await saveResultsToTrialhub({ dir: join(dir, 'run'), title: 'Pools', env, again: true, print: () => undefined })).toMatchObject({ alreadySaved: false });
    expect(seen).toHaveLength(3);
  });
});
