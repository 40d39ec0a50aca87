import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputRange, INPUT_RANGES } from './images';

/** Which feature extractor a notebook uses, and why (shown to the user). */
export interface NotebookModelChoice {
  source: string;
  featureOutput?: string;
  inputRange: InputRange;
  description: string;
  /** Name and version recorded in the saved model (the trainer's defaults when absent). */
  name?: string;
  version?: string;
}

/**
 * Last resort when no Inception v3 is at hand: Google's public MobileNet v1 (0.25, 224) for
 * TF.js, the model of the official TF.js transfer-learning tutorial; smaller than Inception v3
 * but trained on the same ImageNet classes.
 */
export const PUBLIC_FALLBACK_MODEL: NotebookModelChoice = {
  source: 'https://storage.googleapis.com/tfjs-models/tfjs/mobilenet_v1_0.25_224/model.json',
  featureOutput: 'conv_pw_13_relu',
  inputRange: '-1,1',
  description: 'MobileNet v1 (ImageNet) downloaded from storage.googleapis.com',
  name: 'MobileNet v1 0.25 224 (ImageNet), tfjs-models',
  version: 'tfjs-models mobilenet_v1_0.25_224',
};

/** The installed nsfwjs package's version (its models change with it), if it can be read. */
export function nsfwjsVersion(searchPaths?: string[]): string | undefined {
  const base = nsfwjsInceptionDirectory(searchPaths);
  try {
    return base ? (JSON.parse(readFileSync(join(base, '..', '..', '..', 'package.json'), 'utf8')) as { version?: string }).version : undefined;
  } catch {
    return undefined;
  }
}

/**
 * nsfwjs ships an Inception v3 whose layers up to `mixed5` are the frozen ImageNet ones (the
 * later layers were fine-tuned for another task), so `mixed5` is the ImageNet feature map.
 */
export const NSFWJS_FEATURE_OUTPUT = 'mixed5';

/** Where nsfwjs's Inception v3 modules are, if the package is installed. */
export function nsfwjsInceptionDirectory(searchPaths: string[] = require.resolve.paths('nsfwjs') ?? []): string | undefined {
  return searchPaths.map((p) => join(p, 'nsfwjs', 'dist', 'models', 'inception_v3')).find((dir) => existsSync(join(dir, 'model.min.js')));
}

/**
 * Writes the nsfwjs package's Inception v3 (base64 weight shards wrapped in JS modules) as a
 * plain TF.js model folder, once. Returns false when the package is not installed.
 */
export function writeNsfwjsInceptionV3(dir: string, searchPaths?: string[]): boolean {
  if (existsSync(join(dir, 'model.json'))) return true;
  const base = nsfwjsInceptionDirectory(searchPaths);
  if (!base) return false;
  // Absolute paths: the package's "exports" map does not list its model files.
  const model = require(join(base, 'model.min.js')) as { modelTopology: unknown; weightsManifest: { paths: string[] }[] };
  mkdirSync(dir, { recursive: true });
  for (const group of model.weightsManifest) {
    for (const path of group.paths) writeFileSync(join(dir, path), Buffer.from(require(join(base, `${path}.min.js`)) as string, 'base64'));
  }
  // model.json last (via rename), so a half-written folder is never taken for a model.
  writeFileSync(join(dir, 'model.json.part'), JSON.stringify({ format: 'layers-model', ...model }));
  renameSync(join(dir, 'model.json.part'), join(dir, 'model.json'));
  return true;
}

function rangeFrom(value: string | undefined): InputRange {
  return value && INPUT_RANGES.includes(value as InputRange) ? (value as InputRange) : '-1,1';
}

/**
 * The notebook's feature extractor, first that applies:
 * 1. `<workDir>/models/inception_v3/model.json` (a model the user or runtime put next to the data);
 * 2. env `TRIALHUB_FEATURE_MODEL` (folder or URL), with `TRIALHUB_FEATURE_OUTPUT` and `TRIALHUB_INPUT_RANGE`;
 * 3. the nsfwjs package's Inception v3, when installed, unpacked into `cacheDir` (feature map `mixed5`);
 * 4. the public MobileNet fallback above.
 */
export function resolveNotebookModel(options: { workDir: string; cacheDir: string; env?: NodeJS.ProcessEnv; nsfwjsSearchPaths?: string[] }): NotebookModelChoice {
  const env = options.env ?? process.env;
  const local = join(options.workDir, 'models', 'inception_v3');
  if (existsSync(join(local, 'model.json'))) {
    return { source: local, featureOutput: env.TRIALHUB_FEATURE_OUTPUT || undefined, inputRange: rangeFrom(env.TRIALHUB_INPUT_RANGE), description: `the model in ${local}` };
  }
  if (env.TRIALHUB_FEATURE_MODEL) {
    return { source: env.TRIALHUB_FEATURE_MODEL, featureOutput: env.TRIALHUB_FEATURE_OUTPUT || undefined, inputRange: rangeFrom(env.TRIALHUB_INPUT_RANGE), description: `TRIALHUB_FEATURE_MODEL (${env.TRIALHUB_FEATURE_MODEL})` };
  }
  const unpacked = join(options.cacheDir, 'models', 'nsfwjs-inception-v3');
  if (writeNsfwjsInceptionV3(unpacked, options.nsfwjsSearchPaths)) {
    const version = nsfwjsVersion(options.nsfwjsSearchPaths);
    return {
      source: unpacked, featureOutput: NSFWJS_FEATURE_OUTPUT, inputRange: '-1,1',
      description: `Inception v3 (ImageNet layers up to ${NSFWJS_FEATURE_OUTPUT}) from the nsfwjs package`,
      name: 'Inception v3 (ImageNet), from the nsfwjs package', version: version ? `nsfwjs ${version}` : undefined,
    };
  }
  return PUBLIC_FALLBACK_MODEL;
}
