import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readBottleneck, writeBottleneck } from './bottleneck-file';
import { Example } from './dataset';
import { TrainerInputError } from './errors';
import { FeatureExtractor } from './model-loader';
import { loadImagePixels } from './images';

export interface SkippedImage {
  path: string;
  reason: string;
}

export interface FeatureProgress {
  done: number;
  total: number;
  cached: number;
}

export interface FeatureResult {
  /** One vector per kept example, in the order of `examples`. */
  examples: Example[];
  vectors: Float32Array[];
  skipped: SkippedImage[];
  /** How many images were computed by the model, and how many came from the cache. */
  extracted: number;
  cached: number;
}

/** The cache file of one image for one feature extractor: content-addressed, so renames still hit. */
export function cachePathFor(cacheDir: string, extractorId: string, imageBytes: Uint8Array): string {
  const digest = createHash('sha256').update(imageBytes).digest('hex');
  return join(cacheDir, extractorId, `${digest}.txt`);
}

async function readCached(path: string): Promise<Float32Array | undefined> {
  try {
    return await readBottleneck(path);
  } catch {
    return undefined; // missing or damaged entry: recompute it
  }
}

/**
 * Feature vectors for every example: stored bottlenecks as they are, images through the
 * model with an on-disk cache keyed by model and image content (so a second run extracts
 * nothing). Unreadable or corrupt images are skipped and reported, never fatal.
 */
export async function computeFeatures(
  examples: Example[],
  options: { extractor?: FeatureExtractor; cacheDir: string; batchSize?: number; onProgress?: (p: FeatureProgress) => void },
): Promise<FeatureResult> {
  const { extractor, cacheDir } = options;
  const batchSize = options.batchSize ?? 8;
  const vectors = new Map<Example, Float32Array>();
  const skipped: SkippedImage[] = [];
  const needModel = examples.filter((e) => !e.bottleneckPath);
  if (needModel.length && !extractor) {
    throw new TrainerInputError(
      `${needModel.length} image(s) have no stored bottleneck (e.g. ${needModel[0].imagePath}); give --model to extract their features, or train on --bottlenecks alone.`,
    );
  }

  for (const e of examples) if (e.bottleneckPath) vectors.set(e, await readBottleneck(e.bottleneckPath));

  let done = 0;
  let cached = 0;
  let extracted = 0;
  const report = () => options.onProgress?.({ done, total: needModel.length, cached });
  let pending: { example: Example; pixels: Float32Array; cachePath: string }[] = [];
  const flush = async () => {
    if (!pending.length || !extractor) return;
    const out = await extractor.extract(pending.map((p) => p.pixels));
    for (let i = 0; i < pending.length; i++) {
      vectors.set(pending[i].example, out[i]);
      await writeBottleneck(pending[i].cachePath, out[i]);
    }
    extracted += pending.length;
    done += pending.length;
    pending = [];
    report();
  };

  for (const example of needModel) {
    const path = example.imagePath!;
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (error) {
      skipped.push({ path, reason: `unreadable (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` });
      done++;
      continue;
    }
    const cachePath = cachePathFor(cacheDir, extractor!.id, bytes);
    const hit = await readCached(cachePath);
    if (hit && hit.length === extractor!.featureLength) {
      vectors.set(example, hit);
      cached++;
      done++;
      if (done % batchSize === 0) report();
      continue;
    }
    try {
      pending.push({ example, pixels: await loadImagePixels(bytes, extractor!.inputSize, extractor!.inputRange), cachePath });
    } catch (error) {
      skipped.push({ path, reason: `not a readable JPEG/PNG image (${(error as Error).message.split('\n')[0]})` });
      done++;
      continue;
    }
    if (pending.length >= batchSize) await flush();
  }
  await flush();
  if (needModel.length) report();

  const kept = examples.filter((e) => vectors.has(e));
  const kept_vectors = kept.map((e) => vectors.get(e)!);
  checkLengths(kept, kept_vectors, extractor);
  return { examples: kept, vectors: kept_vectors, skipped, extracted, cached };
}

/** All vectors must have one length (mixing models or truncated files would be silent nonsense). */
export function checkLengths(examples: Example[], vectors: Float32Array[], extractor?: FeatureExtractor): void {
  if (!vectors.length) return;
  const counts = new Map<number, number>();
  for (const v of vectors) counts.set(v.length, (counts.get(v.length) ?? 0) + 1);
  const expected = extractor?.featureLength ?? [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0];
  const wrong = examples.map((e, i) => ({ e, n: vectors[i].length })).filter((x) => x.n !== expected);
  if (!wrong.length) return;
  const list = wrong.slice(0, 5).map((x) => `${x.e.bottleneckPath ?? x.e.imagePath} has ${x.n}`).join('; ');
  const why = extractor ? `the model ${extractor.source} produces ${expected}` : `most have ${expected}`;
  throw new TrainerInputError(
    `${wrong.length} feature vector(s) have the wrong length (${why}): ${list}${wrong.length > 5 ? '; …' : ''}. ` +
      'Stored bottlenecks must come from the same model as the one given with --model.',
  );
}
