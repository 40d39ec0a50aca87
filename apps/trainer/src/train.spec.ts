import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrainerMetrics } from '@trialhub/contracts';
import { writeBottleneckDataset, writeImageDataset, writeTinyModel } from '../../../test/trainer-fixtures/synthetic';
import { selectBackend } from './backend';
import { loadImagePixels } from './images';
import { loadModelArtifacts } from './model-loader';
import { TrainerEventInput } from './progress';
import { train } from './train';
import { tf } from './tf';

let dir: string;
let backendName: string;
const readJson = (...p: string[]) => JSON.parse(readFileSync(join(...p), 'utf8'));

beforeAll(async () => {
  backendName = (await selectBackend()).name;
  dir = mkdtempSync(join(tmpdir(), 'trainer-run-'));
  await writeTinyModel(join(dir, 'model'));
  await writeImageDataset(join(dir, 'images'), { red: 14, blue: 14 });
  await writeImageDataset(join(dir, 'test-images'), { red: 2, blue: 2 }, { prefix: 't', seed: 500 });
  writeBottleneckDataset(join(dir, 'bottlenecks'), { cats: 40, dogs: 30 }, 16);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const quiet = { log: () => undefined };

/**
 * retrain.py's split, written out here from its definition rather than imported from split.ts:
 * SHA-1 of /tmp/images_resized/<class>/<name>, modulo 2^27, scaled to [0, 100]; validation
 * below 10, test from 10 to 20.
 */
function seedSplitPart(className: string, name: string): 'train' | 'validation' | 'test' {
  const digest = createHash('sha1').update(`/tmp/images_resized/${className}/${name}`).digest('hex');
  const pct = (Number(BigInt('0x' + digest) % 134217728n) * 100) / 134217727;
  return pct < 10 ? 'validation' : pct < 20 ? 'test' : 'train';
}
const countParts = (data: string) => {
  const counts = { train: 0, validation: 0, test: 0 };
  for (const c of readdirSync(data)) for (const f of readdirSync(join(data, c))) counts[seedSplitPart(c, f.replace(/\.txt$/, ''))]++;
  return counts;
};

describe('a training run on images with a model', () => {
  let events: TrainerEventInput[];
  let out: string;
  beforeAll(async () => {
    events = [];
    out = join(dir, 'out-images');
    await train({ ...quiet, out, data: join(dir, 'images'), model: join(dir, 'model'), featureOutput: 'features', testImages: join(dir, 'test-images'), cacheDir: join(dir, 'cache'), steps: 300, onEvent: (e) => events.push(e) });
  });

  it('writes every output file', () => {
    expect(readdirSync(out).sort().filter((f) => f !== 'misclassified')).toEqual(['before-after.json', 'confusion.json', 'full-model', 'history.json', 'labels.txt', 'metrics.json', 'misclassified.json', 'model', 'predictions.json', 'report.html', 'test_images']);
    expect(readdirSync(join(out, 'full-model')).sort()).toEqual(['labels.txt', 'model.json', 'trainer.json', 'weights.bin']);
    expect(readdirSync(join(out, 'model')).sort()).toEqual(['model.json', 'trainer.json', 'weights.bin']);
    expect(readFileSync(join(out, 'labels.txt'), 'utf8')).toBe('blue\nred\n');
  });

  it('writes metrics.json with the fields every consumer relies on', () => {
    const m = readJson(out, 'metrics.json') as TrainerMetrics;
    expect(m).toMatchObject({ classes: ['blue', 'red'], steps: 300, mode: 'default', backend: backendName });
    for (const key of ['testAccuracy', 'validationAccuracy', 'trainAccuracy', 'seconds'] as const) expect(typeof m[key]).toBe('number');
    // The split's counts, computed here from retrain.py's definition.
    const expected = countParts(join(dir, 'images'));
    expect(expected.test).toBeGreaterThan(0);
    expect({ train: m.trainCount, validation: m.validationCount, test: m.testCount }).toEqual(expected);
    expect(m.featureModel).toMatchObject({ kind: 'layers', featureOutput: 'features', inputSize: 32, inputRange: '-1,1' });
    expect(m.trainAccuracy).toBeGreaterThan(0.9); // red versus blue is easy
  });

  it('gives every accuracy its N and Wilson interval, and (under 30 test items) a cross-validated headline', () => {
    const m = readJson(out, 'metrics.json') as TrainerMetrics;
    const a = m.accuracy!;
    expect(a.test).toMatchObject({ n: m.testCount, accuracy: m.testAccuracy });
    expect(a.test!.correct).toBe(Math.round(m.testAccuracy * m.testCount));
    expect(a.validation!.n).toBe(m.validationCount);
    expect(a.train!.n).toBe((m.trainCount as number) + (m.validationCount as number)); // default mode refits on both
    for (const e of [a.test!, a.validation!, a.train!]) expect(e.low <= e.accuracy && e.accuracy <= e.high).toBe(true);
    expect(m.testCount).toBeLessThan(30);
    expect(a.crossValidation).toMatchObject({ folds: 5, n: (m.trainCount as number) + (m.validationCount as number) });
    expect(m.headline).toMatchObject({ estimate: 'cross-validation', n: a.crossValidation!.n, accuracy: a.crossValidation!.accuracy, low: a.crossValidation!.low });
    expect(m.headline!.text).toMatch(new RegExp(`^\\d+ % accuracy \\(95 % interval \\d+–\\d+ %, 5-fold cross-validation on ${a.crossValidation!.n} images\\)$`));
    expect(m.perClass!.estimate).toBe('cross-validation');
    expect(m.perClass!.classes.map((c) => c.class)).toEqual(['blue', 'red']);
    const recallN = m.perClass!.classes.map((c) => c.recall!.n);
    expect(recallN[0] + recallN[1]).toBe(a.crossValidation!.n);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain(m.headline!.text);
    expect(html).toContain('Precision and recall per class');
  });

  it('lists the misclassified test items, worst first, with their scores', () => {
    const m = readJson(out, 'metrics.json') as TrainerMetrics;
    const confusion = readJson(out, 'confusion.json');
    const wrong = readJson(out, 'misclassified.json') as { image: string; label: string; predicted: string; loss: number; scores: Record<string, number>; set: string; file: string | null }[];
    const offDiagonal = confusion.matrix.flatMap((row: number[], i: number) => row.filter((_, j) => j !== i)).reduce((x: number, y: number) => x + y, 0);
    const beforeAfterWrong = readJson(out, 'before-after.json').filter((r: { label?: string; predicted: string }) => r.label && r.label !== r.predicted).length;
    expect(wrong.length).toBe(offDiagonal + beforeAfterWrong);
    expect(m.misclassifiedCount).toBe(wrong.length);
    for (const w of wrong) {
      expect(w.predicted).not.toBe(w.label);
      expect(w.loss).toBeCloseTo(-Math.log(w.scores[w.label]), 6);
      if (w.file) expect(existsSync(join(out, w.file))).toBe(true);
    }
    expect(wrong.map((w) => w.loss)).toEqual([...wrong.map((w) => w.loss)].sort((x, y) => y - x));
  });

  it('exports backbone and head as one TF.js model that scores images as the run did', async () => {
    const meta = readJson(out, 'model', 'trainer.json');
    expect(meta).toMatchObject({ format: 2, labels: ['blue', 'red'], fullModel: 'full-model', head: { kind: 'softmax', inputLength: 8, units: 2 } });
    expect(meta.backbone).toMatchObject({ kind: 'layers', layer: 'features', inputSize: 32, inputRange: '-1,1', pooling: 'global-average', name: 'model', version: expect.stringMatching(/^sha256:/) });
    const { artifacts } = await loadModelArtifacts(join(out, 'full-model'));
    const model = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
    expect(model.inputs[0].shape).toEqual([null, 32, 32, 3]);
    expect((model.getUserDefinedMetadata() as { trialhub: { labels: string[] } }).trialhub.labels).toEqual(['blue', 'red']);
    const rows = readJson(out, 'before-after.json');
    for (const r of rows) {
      const pixels = await loadImagePixels(join(dir, 'test-images', r.image), 32, '-1,1');
      const scores = tf.tidy(() => (model.predict(tf.tensor4d(pixels, [1, 32, 32, 3])) as tf.Tensor).arraySync() as number[][])[0];
      expect(scores[0]).toBeCloseTo(r.after.blue, 4);
      expect(scores[1]).toBeCloseTo(r.after.red, 4);
    }
    model.dispose();
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
    expect(existsSync(join(dir, 'out-again', 'full-model'))).toBe(true);
    // Another feature output is another model: nothing is reused. (No full-model export asked for.)
    await train({ ...quiet, out: join(dir, 'out-other'), data: join(dir, 'images'), model: join(dir, 'model'), cacheDir: join(dir, 'cache'), steps: 20, exportFullModel: false });
    expect(existsSync(join(dir, 'out-other', 'full-model'))).toBe(false);
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

  it('leaves no tensors behind, full-model export included (a notebook kernel trains many times)', async () => {
    const before = tf.memory().numTensors;
    await train({ ...quiet, out: join(dir, 'out-memory'), data: join(dir, 'images'), model: join(dir, 'model'), featureOutput: 'features', cacheDir: join(dir, 'cache'), steps: 10 });
    expect(existsSync(join(dir, 'out-memory', 'full-model', 'model.json'))).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
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
    expect({ train: m.trainCount, validation: m.validationCount, test: m.testCount }).toEqual(countParts(join(dir, 'bottlenecks')));
    expect(m.validationAccuracy).toBeGreaterThan(0.8);
    expect(readJson(out, 'before-after.json')).toHaveLength(m.testCount);
  });

  it('in seed-compatible mode trains on the training split only: flipping a held-out label leaves the head as it was', async () => {
    // One extra example whose name falls outside the training split under either class, and
    // one that falls inside it under both (the split hashes <class>/<name>).
    const names = Array.from({ length: 400 }, (_, i) => `extra-${i}.jpg`);
    const heldOut = names.find((n) => seedSplitPart('cats', n) !== 'train' && seedSplitPart('dogs', n) !== 'train')!;
    const trained = names.find((n) => seedSplitPart('cats', n) === 'train' && seedSplitPart('dogs', n) === 'train')!;
    const vector = readFileSync(join(dir, 'bottlenecks', 'cats', 'cats-000.jpg.txt'), 'utf8');
    const weightsWith = async (name: string, label: 'cats' | 'dogs', mode: 'seed-compatible' | 'default') => {
      const data = join(dir, `flip-${name}-${label}-${mode}`);
      cpSync(join(dir, 'bottlenecks'), data, { recursive: true });
      writeFileSync(join(data, label, `${name}.txt`), vector);
      const out = join(dir, `out-flip-${name}-${label}-${mode}`);
      const result = await train({ ...quiet, out, bottlenecks: data, mode, seed: 3, steps: 100 });
      return { weights: readFileSync(join(out, 'model', 'weights.bin')), metrics: result.metrics };
    };
    const a = await weightsWith(heldOut, 'cats', 'seed-compatible');
    const b = await weightsWith(heldOut, 'dogs', 'seed-compatible');
    expect(a.metrics).toMatchObject({ mode: 'seed-compatible', steps: 100, refitOnValidation: false, seed: 3 });
    expect(a.metrics.trainCount).toBe(b.metrics.trainCount);
    expect(a.weights.equals(b.weights)).toBe(true);
    // The same flip on a training example does change the head: the comparison can fail.
    const c = await weightsWith(trained, 'cats', 'seed-compatible');
    const d = await weightsWith(trained, 'dogs', 'seed-compatible');
    expect(c.weights.equals(d.weights)).toBe(false);
  });

  it('in default mode never trains on the test split: flipping a test label leaves the head as it was', async () => {
    const name = Array.from({ length: 400 }, (_, i) => `extra-${i}.jpg`).find((n) => seedSplitPart('cats', n) === 'test' && seedSplitPart('dogs', n) === 'test')!;
    const vector = readFileSync(join(dir, 'bottlenecks', 'dogs', 'dogs-000.jpg.txt'), 'utf8');
    const weights: Buffer[] = [];
    const accuracies: number[] = [];
    for (const label of ['cats', 'dogs']) {
      const data = join(dir, `flip-test-${label}`);
      cpSync(join(dir, 'bottlenecks'), data, { recursive: true });
      writeFileSync(join(data, label, `${name}.txt`), vector);
      const result = await train({ ...quiet, out: join(dir, `out-flip-test-${label}`), bottlenecks: data, steps: 100 });
      weights.push(readFileSync(join(dir, `out-flip-test-${label}`, 'model', 'weights.bin')));
      accuracies.push(result.metrics.testAccuracy);
    }
    expect(weights[0].equals(weights[1])).toBe(true);
    // …while the flipped item is scored against its new label (a dog's vector called a cat is wrong).
    expect(accuracies[0]).toBeLessThan(accuracies[1]);
  });

  it('uses an explicit test set instead of the hash split when given one', async () => {
    writeBottleneckDataset(join(dir, 'held-out'), { cats: 5, dogs: 5 }, 16, 99);
    const result = await train({ ...quiet, out: join(dir, 'out-explicit'), bottlenecks: join(dir, 'bottlenecks'), testBottlenecks: join(dir, 'held-out'), steps: 100 });
    expect(result.metrics.testCount).toBe(10);
    expect((result.metrics.trainCount as number) + (result.metrics.validationCount as number)).toBe(70);
    expect(result.metrics.split).toMatchObject({ kind: 'explicit-test' });
  });

  it('with 30 or more test items headlines the test accuracy and does not cross-validate', async () => {
    writeBottleneckDataset(join(dir, 'held-out-30'), { cats: 16, dogs: 14 }, 16, 98);
    const result = await train({ ...quiet, out: join(dir, 'out-explicit-30'), bottlenecks: join(dir, 'bottlenecks'), testBottlenecks: join(dir, 'held-out-30'), steps: 100 });
    const m = result.metrics;
    expect(m.testCount).toBe(30);
    expect(m.accuracy!.crossValidation).toBeNull();
    expect(m.headline).toMatchObject({ estimate: 'test', n: 30, accuracy: m.testAccuracy });
    expect(m.headline!.text).toMatch(/, tested on 30 held-out examples\)$/);
    expect(m.perClass).toMatchObject({ estimate: 'test' });
    expect(m.perClass!.classes.map((c) => c.recall!.n)).toEqual([16, 14]);
    // Stored bottlenecks: nothing to export as a full model.
    expect(m.fullModel).toBeNull();
  });

  it('refuses a bad step count', async () => {
    await expect(train({ ...quiet, out: join(dir, 'o'), bottlenecks: join(dir, 'bottlenecks'), steps: 0 })).rejects.toThrow(/--steps must be a whole number/);
  });
});
