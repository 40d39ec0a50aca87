import { mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveFolder, writeTinyModel } from '../../../test/trainer-fixtures/synthetic';
import { selectBackend } from './backend';
import { loadImagePixels } from './images';
import { loadFeatureExtractor } from './model-loader';

let dir: string;
beforeAll(async () => {
  await selectBackend();
  dir = mkdtempSync(join(tmpdir(), 'trainer-model-'));
  await writeTinyModel(join(dir, 'tiny'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loading a feature extractor', () => {
  it('loads a TF.js layers model from a folder; reads its input size; pools a named layer', async () => {
    const fromOutput = await loadFeatureExtractor({ source: join(dir, 'tiny') });
    expect(fromOutput).toMatchObject({ kind: 'layers', inputSize: 32, featureLength: 5 });
    const fromLayer = await loadFeatureExtractor({ source: join(dir, 'tiny'), featureOutput: 'features' });
    expect(fromLayer.featureLength).toBe(8);
    expect(fromLayer.id).not.toBe(fromOutput.id);
    const [v] = await fromLayer.extract([new Float32Array(32 * 32 * 3).fill(0.5)]);
    expect(v).toHaveLength(8);
    expect(v.some((x) => x !== 0)).toBe(true);
    fromOutput.dispose();
    fromLayer.dispose();
  });

  it('loads the same model over http://127.0.0.1, with the same id and the same features', async () => {
    const server = await serveFolder(dir);
    try {
      const local = await loadFeatureExtractor({ source: join(dir, 'tiny'), featureOutput: 'features' });
      const remote = await loadFeatureExtractor({ source: `${server.url}/tiny/`, featureOutput: 'features' });
      expect(server.requests).toEqual(['/tiny/model.json', '/tiny/group1-shard1of1.bin']);
      expect(remote.id).toBe(local.id);
      const pixels = await loadImagePixels(Buffer.from(await (await import('../../../test/trainer-fixtures/synthetic')).colourImage('red', 3)), 32, '-1,1');
      const [a] = await local.extract([pixels]);
      const [b] = await remote.extract([pixels]);
      expect(Array.from(b)).toEqual(Array.from(a));
      await expect(loadFeatureExtractor({ source: `${server.url}/nothing/model.json` })).rejects.toThrow(/Could not download the model\.json .*HTTP 404/);
    } finally {
      await server.close();
    }
  });

  it('explains a missing layer, a missing model and a missing weight file', async () => {
    await expect(loadFeatureExtractor({ source: join(dir, 'tiny'), featureOutput: 'mixed5' })).rejects.toThrow(/no layer "mixed5"; its last layers are: .*features, pool, logits/);
    await expect(loadFeatureExtractor({ source: join(dir, 'nope') })).rejects.toThrow(/does not exist/);
    await writeTinyModel(join(dir, 'broken'));
    unlinkSync(join(dir, 'broken', 'group1-shard1of1.bin'));
    await expect(loadFeatureExtractor({ source: join(dir, 'broken') })).rejects.toThrow(/weight file "group1-shard1of1.bin" listed in model.json.*no such file/);
  });
});
