import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeTinyModel } from '../../../test/trainer-fixtures/synthetic';
import { loadFeatureExtractor } from './model-loader';
import { PUBLIC_FALLBACK_MODEL, resolveNotebookModel, writeNsfwjsInceptionV3 } from './notebook-model';

/** A package laid out like nsfwjs's: model.min.js and <shard>.min.js modules (base64) under dist/models/inception_v3. */
function writeNsfwjsLikePackage(nodeModules: string, modelDir: string): void {
  const target = join(nodeModules, 'nsfwjs', 'dist', 'models', 'inception_v3');
  mkdirSync(target, { recursive: true });
  const json = JSON.parse(readFileSync(join(modelDir, 'model.json'), 'utf8'));
  writeFileSync(join(target, 'model.min.js'), `module.exports = ${JSON.stringify({ modelTopology: json.modelTopology, weightsManifest: json.weightsManifest })};`);
  for (const path of json.weightsManifest[0].paths) {
    writeFileSync(join(target, `${path}.min.js`), `module.exports = ${JSON.stringify(readFileSync(join(modelDir, path)).toString('base64'))};`);
  }
}

describe('resolveNotebookModel', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'trainer-nbmodel-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('prefers a model next to the data (models/inception_v3) over everything else', () => {
    mkdirSync(join(dir, 'work/models/inception_v3'), { recursive: true });
    writeFileSync(join(dir, 'work/models/inception_v3/model.json'), '{}');
    const choice = resolveNotebookModel({ workDir: join(dir, 'work'), cacheDir: join(dir, 'cache'), env: { TRIALHUB_FEATURE_MODEL: 'http://127.0.0.1:1/m', TRIALHUB_FEATURE_OUTPUT: 'pool' } });
    expect(choice).toMatchObject({ source: join(dir, 'work/models/inception_v3'), featureOutput: 'pool', inputRange: '-1,1' });
  });

  it('then TRIALHUB_FEATURE_MODEL with its feature output and input range', () => {
    const choice = resolveNotebookModel({ workDir: dir, cacheDir: join(dir, 'cache'), env: { TRIALHUB_FEATURE_MODEL: '/models/x', TRIALHUB_FEATURE_OUTPUT: 'features', TRIALHUB_INPUT_RANGE: '0,1' }, nsfwjsSearchPaths: [] });
    expect(choice).toMatchObject({ source: '/models/x', featureOutput: 'features', inputRange: '0,1' });
  });

  it('an unknown TRIALHUB_INPUT_RANGE falls back to -1,1 (Inception v3 scaling)', () => {
    const choice = resolveNotebookModel({ workDir: dir, cacheDir: dir, env: { TRIALHUB_FEATURE_MODEL: '/m', TRIALHUB_INPUT_RANGE: 'bogus' }, nsfwjsSearchPaths: [] });
    expect(choice.inputRange).toBe('-1,1');
  });

  it('then unpacks an nsfwjs-style package into a TF.js folder the real loader reads, once', async () => {
    await writeTinyModel(join(dir, 'tiny'));
    writeNsfwjsLikePackage(join(dir, 'node_modules'), join(dir, 'tiny'));
    const choice = resolveNotebookModel({ workDir: dir, cacheDir: join(dir, 'cache'), env: {}, nsfwjsSearchPaths: [join(dir, 'node_modules')] });
    expect(choice).toMatchObject({ source: join(dir, 'cache/models/nsfwjs-inception-v3'), featureOutput: 'mixed5' });
    expect(readdirSync(choice.source).sort()).toEqual(['group1-shard1of1.bin', 'model.json']);
    expect(readFileSync(join(choice.source, 'group1-shard1of1.bin'))).toEqual(readFileSync(join(dir, 'tiny/group1-shard1of1.bin')));
    const extractor = await loadFeatureExtractor({ source: choice.source, featureOutput: 'features' });
    expect(extractor.featureLength).toBe(8);
    extractor.dispose();
    // Already unpacked: the package is not read again.
    rmSync(join(dir, 'node_modules'), { recursive: true });
    expect(writeNsfwjsInceptionV3(choice.source, [])).toBe(true);
  });

  it('falls back to the public MobileNet URL when nothing local exists', () => {
    expect(resolveNotebookModel({ workDir: dir, cacheDir: dir, env: {}, nsfwjsSearchPaths: [join(dir, 'nothing')] })).toEqual(PUBLIC_FALLBACK_MODEL);
    expect(writeNsfwjsInceptionV3(join(dir, 'out'), [])).toBe(false);
  });
});
