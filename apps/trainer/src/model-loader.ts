import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { TrainerInputError } from './errors';
import { InputRange } from './images';
import { tf } from './tf';

export interface FeatureExtractorOptions {
  /** A folder holding model.json (TF.js layers or graph model), a model.json path, or an http(s) URL of either. */
  source: string;
  /** Layer name (layers model) or node name (graph model) whose output is the feature vector; default: the model's output. */
  featureOutput?: string;
  /** Pixel scaling the model was trained with; Inception v3 wants -1..1. */
  inputRange?: InputRange;
  /** What to call the model in the saved result (default: model.json's metadata, else the folder or file name). */
  name?: string;
  /** Its version (default: model.json's metadata, else `sha256:` of its bytes). */
  version?: string;
}

export interface FeatureExtractor {
  /** Identifies model bytes + feature output + input scaling: the bottleneck cache key. */
  id: string;
  kind: 'layers' | 'graph';
  source: string;
  featureOutput?: string;
  inputRange: InputRange;
  /** Square input side in pixels. */
  inputSize: number;
  featureLength: number;
  name: string;
  version: string;
  /** For a layers model: the model from the input to the feature output (before pooling), for a full-model export. */
  layersModel?: tf.LayersModel;
  /** Feature vectors for a batch of images (each size*size*3 floats, already scaled). */
  extract(images: Float32Array[]): Promise<Float32Array[]>;
  dispose(): void;
}

interface ModelJson {
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  modelTopology?: Record<string, unknown>;
  weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  signature?: Record<string, unknown>;
  userDefinedMetadata?: Record<string, unknown>;
  modelInitializer?: Record<string, unknown>;
}

const isUrl = (s: string) => /^https?:\/\//i.test(s);

/** Reads a file of the model from a folder or URL, with errors that name what is missing. */
async function fetchBytes(location: string, what: string): Promise<Uint8Array> {
  if (isUrl(location)) {
    let response: Response;
    try {
      response = await fetch(location);
    } catch (error) {
      throw new TrainerInputError(`Could not download the ${what} from ${location}: ${(error as Error).message}`);
    }
    if (!response.ok) throw new TrainerInputError(`Could not download the ${what} from ${location}: HTTP ${response.status} ${response.statusText}`);
    return new Uint8Array(await response.arrayBuffer());
  }
  try {
    return await readFile(location);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new TrainerInputError(`Could not read the ${what} at ${location}${code === 'ENOENT' ? ': no such file' : `: ${code}`}.`);
  }
}

async function modelJsonLocation(source: string): Promise<{ json: string; base: string }> {
  if (isUrl(source)) {
    const json = source.endsWith('.json') ? source : source.replace(/\/?$/, '/model.json');
    return { json, base: json.slice(0, json.lastIndexOf('/') + 1) };
  }
  let isDir = false;
  try {
    isDir = (await stat(source)).isDirectory();
  } catch {
    throw new TrainerInputError(`The model ${source} does not exist; give a folder holding model.json or an http(s) URL.`);
  }
  const json = isDir ? join(source, 'model.json') : source;
  return { json, base: json.slice(0, json.lastIndexOf('/') + 1) };
}

function concatenate(parts: Uint8Array[]): ArrayBuffer {
  const total = parts.reduce((n, p) => n + p.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out.buffer;
}

/** Loads a TF.js model's artifacts (topology + weights) from a folder or URL, and hashes them. */
export async function loadModelArtifacts(source: string): Promise<{ artifacts: tf.io.ModelArtifacts; kind: 'layers' | 'graph'; hash: string }> {
  const { json, base } = await modelJsonLocation(source);
  const jsonBytes = await fetchBytes(json, 'model.json');
  let parsed: ModelJson;
  try {
    parsed = JSON.parse(Buffer.from(jsonBytes).toString('utf8'));
  } catch {
    throw new TrainerInputError(`${json} is not valid JSON; expected a TF.js model.json.`);
  }
  if (!parsed || typeof parsed.modelTopology !== 'object' || !Array.isArray(parsed.weightsManifest)) {
    throw new TrainerInputError(`${json} is not a TF.js model.json (it needs modelTopology and weightsManifest).`);
  }
  const hash = createHash('sha256').update(jsonBytes);
  const shards: Uint8Array[] = [];
  for (const group of parsed.weightsManifest) {
    for (const path of group.paths) {
      const bytes = await fetchBytes(base + path, `weight file "${path}" listed in model.json`);
      hash.update(bytes);
      shards.push(bytes);
    }
  }
  const topology = parsed.modelTopology;
  const kind = parsed.format === 'graph-model' || Array.isArray((topology as { node?: unknown }).node) ? 'graph' : 'layers';
  const artifacts: tf.io.ModelArtifacts = {
    modelTopology: topology as tf.io.ModelArtifacts['modelTopology'],
    weightSpecs: parsed.weightsManifest.flatMap((g) => g.weights),
    weightData: concatenate(shards),
    format: parsed.format,
    generatedBy: parsed.generatedBy,
    convertedBy: parsed.convertedBy ?? undefined,
    signature: parsed.signature,
    userDefinedMetadata: parsed.userDefinedMetadata as tf.io.ModelArtifacts["userDefinedMetadata"],
    modelInitializer: parsed.modelInitializer,
  };
  return { artifacts, kind, hash: hash.digest('hex') };
}

/** Averages a [batch, h, w, c] feature map to [batch, c], like Inception's pool_3. */
function toVectors(output: tf.Tensor): tf.Tensor2D {
  if (output.rank === 4) return tf.mean(output, [1, 2]) as tf.Tensor2D;
  if (output.rank === 2) return output as tf.Tensor2D;
  return tf.reshape(output, [output.shape[0], -1]) as tf.Tensor2D;
}

function squareSide(shape: readonly (number | null)[] | undefined, source: string): number {
  if (!shape || shape.length !== 4) throw new TrainerInputError(`The model ${source} does not take images (its input shape is ${JSON.stringify(shape)}, expected [batch, height, width, 3]).`);
  const [, h, w, c] = shape;
  if (c !== 3) throw new TrainerInputError(`The model ${source} expects ${c} colour channels; only RGB (3) images are supported.`);
  if (h && w && h !== w) throw new TrainerInputError(`The model ${source} expects ${h}x${w} inputs; only square inputs are supported.`);
  return h ?? w ?? 299;
}

/**
 * Loads a pretrained image model as a frozen feature extractor. Layers models may name any
 * layer as the feature output; graph models any node. Spatial outputs are average-pooled.
 */
export async function loadFeatureExtractor(options: FeatureExtractorOptions): Promise<FeatureExtractor> {
  const { artifacts, kind, hash } = await loadModelArtifacts(options.source);
  const inputRange = options.inputRange ?? '-1,1';
  const id = createHash('sha256').update(`${hash}|${options.featureOutput ?? ''}|${inputRange}`).digest('hex').slice(0, 24);
  let run: (batch: tf.Tensor4D) => tf.Tensor;
  let inputShape: readonly (number | null)[] | undefined;
  let dispose: () => void;
  let layersModel: tf.LayersModel | undefined;

  if (kind === 'layers') {
    let model: tf.LayersModel;
    try {
      model = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
    } catch (error) {
      throw new TrainerInputError(`Could not load the layers model ${options.source}: ${(error as Error).message}`);
    }
    let extractor = model;
    if (options.featureOutput) {
      const layer = model.layers.find((l) => l.name === options.featureOutput);
      if (!layer) {
        const names = model.layers.slice(-8).map((l) => l.name).join(', ');
        throw new TrainerInputError(`The model has no layer "${options.featureOutput}"; its last layers are: ${names}.`);
      }
      extractor = tf.model({ inputs: model.inputs, outputs: layer.output as tf.SymbolicTensor });
    }
    inputShape = model.inputs[0].shape;
    layersModel = extractor;
    run = (batch) => extractor.predict(batch) as tf.Tensor;
    dispose = () => model.dispose();
  } else {
    let model: tf.GraphModel;
    try {
      model = await tf.loadGraphModel(tf.io.fromMemory(artifacts));
    } catch (error) {
      throw new TrainerInputError(`Could not load the graph model ${options.source}: ${(error as Error).message}`);
    }
    inputShape = model.inputs[0]?.shape;
    const output = options.featureOutput;
    run = (batch) => (output ? (model.execute(batch, output) as tf.Tensor) : (model.predict(batch) as tf.Tensor));
    dispose = () => model.dispose();
  }

  const inputSize = squareSide(inputShape, options.source);
  const extract = async (images: Float32Array[]): Promise<Float32Array[]> => {
    if (images.length === 0) return [];
    const flat = new Float32Array(images.length * inputSize * inputSize * 3);
    images.forEach((img, i) => flat.set(img, i * img.length));
    const vectors = tf.tidy(() => {
      let out: tf.Tensor;
      try {
        out = run(tf.tensor4d(flat, [images.length, inputSize, inputSize, 3]));
      } catch (error) {
        throw new TrainerInputError(`The model failed on a batch of images: ${(error as Error).message}`);
      }
      return toVectors(out);
    });
    const data = (await vectors.data()) as Float32Array;
    const width = vectors.shape[1];
    vectors.dispose();
    return images.map((_, i) => data.slice(i * width, (i + 1) * width));
  };

  // One probe image tells the feature length (and fails early for a broken feature output).
  const probe = await extract([new Float32Array(inputSize * inputSize * 3)]);
  const meta = (artifacts.userDefinedMetadata ?? {}) as { name?: unknown; version?: unknown };
  const name = options.name ?? (typeof meta.name === 'string' ? meta.name : basename(options.source.replace(/\/model\.json$|\/+$/, '')) || options.source);
  const version = options.version ?? (typeof meta.version === 'string' ? meta.version : `sha256:${hash.slice(0, 16)}`);
  return { id, kind, source: options.source, featureOutput: options.featureOutput, inputRange, inputSize, featureLength: probe[0].length, name, version, layersModel, extract, dispose };
}
