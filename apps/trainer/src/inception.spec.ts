/**
 * The real pipeline, end to end: the Inception v3 that ships in the nsfwjs package (ImageNet
 * layers up to mixed5, unpacked by the notebook's own code) extracts features from the shared
 * data set's 40 photos, a head is trained on them, and the full-model export (backbone + head
 * as one TF.js layers model) reloads and scores the 4 held-out test photos as the run did.
 * About 30-60 s on 2 cores (WASM).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrainerMetrics } from '@trialhub/contracts';
import { poolHousesDataset } from '../../../test/support/shared-dataset';
import { selectBackend } from './backend';
import { loadImagePixels } from './images';
import { loadModelArtifacts } from './model-loader';
import { NSFWJS_FEATURE_OUTPUT, writeNsfwjsInceptionV3 } from './notebook-model';
import { loadClassifier } from './predict';
import { tf } from './tf';
import { train, TrainResult } from './train';

let dir: string;
let result: TrainResult;
const data = poolHousesDataset();
const readJson = (...p: string[]) => JSON.parse(readFileSync(join(...p), 'utf8'));

beforeAll(async () => {
  await selectBackend();
  dir = mkdtempSync(join(tmpdir(), 'trainer-inception-'));
  expect(writeNsfwjsInceptionV3(join(dir, 'inception'))).toBe(true);
  result = await train({
    out: join(dir, 'run'),
    data: join(data, 'images'),
    testImages: join(data, 'test_images'),
    model: join(dir, 'inception'),
    featureOutput: NSFWJS_FEATURE_OUTPUT,
    modelName: 'Inception v3 (ImageNet), from nsfwjs',
    modelVersion: 'nsfwjs 4.2.1',
    cacheDir: join(dir, 'cache'),
    log: () => undefined,
  });
}, 300_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('training on features of the real Inception v3 (nsfwjs) from the example photos', () => {
  it('extracts 768 features (mixed5, average-pooled) per photo and learns the two classes', () => {
    const m = result.metrics as TrainerMetrics;
    expect(m.images).toMatchObject({ extracted: 40, cached: 0 }); // the training photos (the 4 test photos are scored apart)
    expect(m.featureLength).toBe(768);
    expect(m.featureModel).toMatchObject({ featureOutput: 'mixed5', inputSize: 299, inputRange: '-1,1' });
    // 40 photos: the hash split's test part is tiny, so the headline is cross-validated on the rest.
    expect(m.testCount).toBeLessThan(30);
    expect(m.headline).toMatchObject({ estimate: 'cross-validation', n: (m.trainCount as number) + (m.validationCount as number) });
    // Real ImageNet features separate pools from no pools (a random network does not).
    expect(m.headline!.accuracy, m.headline!.text).toBeGreaterThan(0.7);
  });

  it('saves a self-describing model: backbone, layer, input size and range, preprocessing, head', () => {
    const meta = readJson(dir, 'run', 'model', 'trainer.json');
    expect(meta.backbone).toMatchObject({ name: 'Inception v3 (ImageNet), from nsfwjs', version: 'nsfwjs 4.2.1', kind: 'layers', layer: 'mixed5', inputSize: 299, inputRange: '-1,1', pooling: 'global-average', featureLength: 768 });
    expect(meta.backbone.preprocessing).toMatch(/EXIF.*299|inputSize/);
    expect(meta.head).toEqual({ kind: 'softmax', inputLength: 768, units: 2, layer: 'final_result' });
    expect(meta.fullModel).toBe('full-model');
  });

  it('exports one TF.js model that reloads and gives the run\'s classes and scores for the 4 test photos (to 1e-4)', async () => {
    const rows = readJson(dir, 'run', 'before-after.json') as { image: string; predicted: string; after: Record<string, number> }[];
    expect(rows).toHaveLength(4);
    const { artifacts } = await loadModelArtifacts(join(dir, 'run', 'full-model'));
    const model = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
    try {
      expect(model.inputs[0].shape).toEqual([null, 299, 299, 3]);
      const classes = (model.getUserDefinedMetadata() as { trialhub: { labels: string[] } }).trialhub.labels;
      expect(classes).toEqual(['house_with_pool', 'house_without_pool']);
      for (const row of rows) {
        const pixels = await loadImagePixels(join(data, 'test_images', row.image), 299, '-1,1');
        const scores = tf.tidy(() => (model.predict(tf.tensor4d(pixels, [1, 299, 299, 3])) as tf.Tensor).arraySync() as number[][])[0];
        classes.forEach((c, k) => expect(Math.abs(scores[k] - row.after[c]), `${row.image} ${c}`).toBeLessThan(1e-4));
        expect(classes[scores.indexOf(Math.max(...scores))]).toBe(row.predicted);
      }
    } finally {
      model.dispose();
    }
    // The predict command's loader agrees.
    const classifier = await loadClassifier(join(dir, 'run'));
    const first = await classifier.predict(join(data, 'test_images', rows[0].image));
    classifier.dispose();
    expect(first.label).toBe(rows[0].predicted);
    expect(Math.abs(first.confidence - rows[0].after[rows[0].predicted])).toBeLessThan(1e-4);
    expect(existsSync(join(dir, 'run', 'full-model', 'weights.bin'))).toBe(true);
  });
});
