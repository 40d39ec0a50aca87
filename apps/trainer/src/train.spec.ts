import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrainerMetrics } from '@trialhub/contracts';
import { writeBottleneckDataset, writeImageDataset, writeTinyModel } from '../../../test/trainer-fixtures/synthetic';
import { selectBackend } from './backend';
import { loadModelArtifacts } from './model-loader';
import { TrainerEventInput } from './progress';
import { train } from './train';
import { tf } from './tf';

let dir: string;
const readJson = (...p: string[]) => JSON.parse(readFileSync(join(...p), 'utf8'));

beforeAll(async () => {
  await selectBackend();
  dir = mkdtempSync(join(tmpdir(), 'trainer-run-'));
  await writeTinyModel(join(dir, 'model'));
  await writeImageDataset(join(dir, 'images'), { red: 14, blue: 14 });
  await writeImageDataset(join(dir, 'test-images'), { red: 2, blue: 2 }, { prefix: 't', seed: 500 });
  writeBottleneckDataset(join(dir, 'bottlenecks'), { cats: 40, dogs: 30 }, 16);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const quiet = { log: () => undefined };

describe('a training run on images with a model', () => {
  let events: TrainerEventInput[];
  let out: string;
  beforeAll(async () => {
    events = [];
    out = join(dir, 'out-images');
    await train({ ...quiet, out, data: join(dir, 'images'), model: join(dir, 'model'), featureOutput: 'features', testImages: join(dir, 'test-images'), cacheDir: join(dir, 'cache'), steps: 300, onEvent: (e) => events.push(e) });
  });

  it('writes every output file', () => {
    expect(readdirSync(out).sort()).toEqual(['before-after.json', 'confusion.json', 'history.json', 'labels.txt', 'metrics.json', 'model', 'predictions.json', 'report.html', 'test_images']);
    expect(readdirSync(join(out, 'model')).sort()).toEqual(['model.json', 'trainer.json', 'weights.bin']);
    expect(readFileSync(join(out, 'labels.txt'), 'utf8')).toBe('blue\nred\n');
  });

  it('writes metrics.json with the fields every consumer relies on', () => {
    const m = readJson(out, 'metrics.json') as TrainerMetrics;
    expect(m).toMatchObject({ classes: ['blue', 'red'], steps: 300, mode: 'default', backend: 'wasm' });
    for (const key of ['testAccuracy', 'validationAccuracy', 'trainAccuracy', 'seconds'] as const) expect(typeof m[key]).toBe('number');
    expect(m.testCount).toBe(m.testCount as number);
    expect((m.trainCount as number) + (m.validationCount as number) + m.testCount).toBe(28);
    expect(m.featureModel).toMatchObject({ kind: 'layers', featureOutput: 'features', inputSize: 32, inputRange: '-1,1' });
    expect(m.trainAccuracy).toBeGreaterThan(0.9); // red versus blue is easy
  });

  it('writes history, confusion matrix and predictions in their schemas', () => {
    const history = readJson(out, 'history.json');
    expect(history.length).toBeGreaterThan(5);
    expect(Object.keys(history[0]).sort()).toEqual(['crossEntropy', 'step', 'trainAccuracy', 'validationAccuracy']);
    const confusion = readJson(out, 'confusion.json');
    expect(confusion.classes).toEqual(['blue', 'red']);
    const m = readJson(out, 'metrics.json');
    expect(confusion.matrix.flat().reduce((a: number, b: number) => a + b, 0)).toBe(m.testCount);
    const predictions = readJson(out, 'predictions.json');
    expect(predictions).toHaveLength(m.testCount);
    for (const p of predictions) {
      expect(Object.keys(p).sort()).toEqual(['image', 'label', 'predicted', 'scores']);
      expect(p.scores.blue + p.scores.red).toBeCloseTo(1, 5);
    }
  });

  it('scores the test images before (about even) and after training (correct)', () => {
    const rows = readJson(out, 'before-after.json');
    expect(rows.map((r: { image: string }) => r.image)).toEqual(['blue/t00.png', 'blue/t01.jpg', 'red/t00.png', 'red/t01.jpg']);
    // The compared images travel with the outputs, so a saved result can show them.
    for (const r of rows) expect(existsSync(join(out, 'test_images', r.image)), r.image).toBe(true);
    expect(Object.keys(rows[0]).sort()).toEqual(['after', 'before', 'image', 'label', 'predicted']);
    for (const r of rows) {
      expect(r.before.blue).toBeGreaterThan(0.4);
      expect(r.before.blue).toBeLessThan(0.6);
      expect(r.predicted).toBe(r.label);
      expect(r.after[r.label]).toBeGreaterThan(0.6);
    }
  });

  it('writes a self-contained report with curves, confusion matrix and the images inline', () => {
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).toContain('Confusion matrix');
    expect(html).toContain('data:image/jpeg;base64,');
    expect(html).not.toMatch(/<script|src="http|href="http/);
  });

  it('saves the head as a TF.js layers model that predicts like the run did', async () => {
    const { artifacts, kind } = await loadModelArtifacts(join(out, 'model'));
    expect(kind).toBe('layers');
    const model = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
    expect(model.outputs[0].shape).toEqual([null, 2]);
    const meta = readJson(out, 'model', 'trainer.json');
    expect(meta).toMatchObject({ labels: ['blue', 'red'], featureLength: 8 });
    model.dispose();
  });

  it('reports progress as events: start, extract, data, split, steps, done', () => {
    const types = [...new Set(events.map((e) => e.type))];
    expect(types).toEqual(['start', 'extract', 'data', 'split', 'step', 'done']);
    const lastExtract = events.filter((e) => e.type === 'extract').at(-1);
    expect(lastExtract).toMatchObject({ done: 28, total: 28, cached: 0 });
  });

  it('extracts nothing on a second run: bottlenecks are cached by model and image content', async () => {
    const again: TrainerEventInput[] = [];
    await train({ ...quiet, out: join(dir, 'out-again'), data: join(dir, 'images'), model: join(dir, 'model'), featureOutput: 'features', cacheDir: join(dir, 'cache'), steps: 20, onEvent: (e) => again.push(e) });
    expect(again.filter((e) => e.type === 'extract').at(-1)).toMatchObject({ done: 28, total: 28, cached: 28 });
    expect(readJson(dir, 'out-again', 'metrics.json').images).toMatchObject({ extracted: 0, cached: 28 });
    // Another feature output is another model: nothing is reused.
    await train({ ...quiet, out: join(dir, 'out-other'), data: join(dir, 'images'), model: join(dir, 'model'), cacheDir: join(dir, 'cache'), steps: 20 });
    expect(readJson(dir, 'out-other', 'metrics.json').images).toMatchObject({ extracted: 28, cached: 0 });
  });

  it('skips unreadable and corrupt images with a warning listing them, and still trains', async () => {
    const data = join(dir, 'images-with-bad');
    await writeImageDataset(data, { red: 6, blue: 6 });
    writeFileSync(join(data, 'red', 'corrupt.jpg'), Buffer.from('this is not a jpeg'));
    copyFileSync(join(data, 'blue', 'b00.png'), join(data, 'blue', 'truncated.png'));
    writeFileSync(join(data, 'blue', 'truncated.png'), readFileSync(join(data, 'blue', 'b00.png')).subarray(0, 60));
    const seen: TrainerEventInput[] = [];
    const result = await train({ ...quiet, out: join(dir, 'out-bad'), data, model: join(dir, 'model'), cacheDir: join(dir, 'cache'), steps: 10, onEvent: (e) => seen.push(e) });
    const warning = seen.find((e) => e.type === 'warning' && e.message.startsWith('skipped 2'));
    expect(warning && 'message' in warning && warning.message).toMatch(/corrupt\.jpg.*truncated\.png|truncated\.png.*corrupt\.jpg/);
    expect(seen.find((e) => e.type === 'data')).toMatchObject({ images: 12, skipped: [join(data, 'blue', 'truncated.png'), join(data, 'red', 'corrupt.jpg')] });
    expect(result.metrics.images).toMatchObject({ skipped: expect.arrayContaining([expect.objectContaining({ path: join(data, 'red', 'corrupt.jpg') })]) });
  });

  it('refuses a class whose images are all unreadable', async () => {
    const data = join(dir, 'images-all-bad');
    await writeImageDataset(data, { red: 3 });
    mkdirSync(join(data, 'blue'));
    writeFileSync(join(data, 'blue', 'x.jpg'), 'nope');
    await expect(train({ ...quiet, out: join(dir, 'out-x'), data, model: join(dir, 'model'), cacheDir: join(dir, 'cache') })).rejects.toThrow(/No usable images are left in class "blue"/);
  });
});

describe('a training run on stored bottlenecks alone', () => {
  it('needs no model, splits by name and learns the clusters', async () => {
    const out = join(dir, 'out-bn');
    const result = await train({ ...quiet, out, bottlenecks: join(dir, 'bottlenecks'), steps: 200 });
    const m = result.metrics;
    expect(m.featureModel).toBeNull();
    expect(m.testCount + (m.validationCount as number) + (m.trainCount as number)).toBe(70);
    expect(m.validationAccuracy).toBeGreaterThan(0.8);
    expect(readJson(out, 'before-after.json')).toHaveLength(m.testCount);
  });

  it('in seed-compatible mode trains on the training split only, with retrain.py schedule', async () => {
    const result = await train({ ...quiet, out: join(dir, 'out-seed'), bottlenecks: join(dir, 'bottlenecks'), mode: 'seed-compatible', seed: 3 });
    expect(result.metrics).toMatchObject({ mode: 'seed-compatible', steps: 500, refitOnValidation: false, seed: 3 });
  });

  it('uses an explicit test set instead of the hash split when given one', async () => {
    writeBottleneckDataset(join(dir, 'held-out'), { cats: 5, dogs: 5 }, 16, 99);
    const result = await train({ ...quiet, out: join(dir, 'out-explicit'), bottlenecks: join(dir, 'bottlenecks'), testBottlenecks: join(dir, 'held-out'), steps: 100 });
    expect(result.metrics.testCount).toBe(10);
    expect((result.metrics.trainCount as number) + (result.metrics.validationCount as number)).toBe(70);
    expect(result.metrics.split).toMatchObject({ kind: 'explicit-test' });
  });

  it('refuses a bad step count', async () => {
    await expect(train({ ...quiet, out: join(dir, 'o'), bottlenecks: join(dir, 'bottlenecks'), steps: 0 })).rejects.toThrow(/--steps must be a whole number/);
  });
});
