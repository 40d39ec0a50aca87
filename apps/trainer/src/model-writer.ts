import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SoftmaxHead } from './head';
import { FeatureExtractor } from './model-loader';
import { tf } from './tf';

/** How an image becomes the backbone's input, in words (the trainer's own loadImagePixels). */
export const PREPROCESSING =
  'decode (JPEG/PNG), apply the EXIF orientation, fit into inputSize x inputSize keeping the aspect ratio with black padding (no crop, no stretch), RGB, scale 0..255 to inputRange';

/** The frozen image model that turns an image into the head's input. */
export interface BackboneDescription {
  name: string;
  version: string;
  /** Folder or URL it was loaded from. */
  source: string;
  /** The bottleneck-cache id (model bytes + layer + input range). */
  id: string;
  kind: 'layers' | 'graph';
  /** The layer (or graph node) whose output is the feature map; null = the model's output. */
  layer: string | null;
  /** Square input side in pixels, and the range the pixels are scaled to. */
  inputSize: number;
  inputRange: string;
  preprocessing: string;
  /** A spatial feature map is averaged over height and width (Inception's pool_3). */
  pooling: 'global-average';
  featureLength: number;
}

/** What a consumer needs to use the saved head on new images, stored next to model.json as trainer.json. */
export interface HeadMetadata {
  format: 2;
  labels: string[];
  /** Null when the head was trained on stored bottlenecks (the seed's: Inception v3 2015-12-05, pool_3, 2048 floats). */
  backbone: BackboneDescription | null;
  head: { kind: 'softmax'; inputLength: number; units: number; layer: 'final_result' };
  /** The backbone + head as one model, relative to the run folder; null when none was written. */
  fullModel: string | null;
  /** Kept for readers of format 1. */
  featureModel: { source: string; id: string; featureOutput?: string; inputRange: string; inputSize: number } | null;
  featureLength: number;
}

export function describeBackbone(extractor: FeatureExtractor): BackboneDescription {
  return {
    name: extractor.name,
    version: extractor.version,
    source: extractor.source,
    id: extractor.id,
    kind: extractor.kind,
    layer: extractor.featureOutput ?? null,
    inputSize: extractor.inputSize,
    inputRange: extractor.inputRange,
    preprocessing: PREPROCESSING,
    pooling: 'global-average',
    featureLength: extractor.featureLength,
  };
}

/** A TF.js save handler that writes model.json + one weights file into a folder (tfjs has no file:// saver without tfjs-node). */
export function folderSaveHandler(dir: string): tf.io.IOHandler {
  return {
    save: async (artifacts: tf.io.ModelArtifacts) => {
      await mkdir(dir, { recursive: true });
      const weightData = artifacts.weightData as ArrayBuffer;
      await writeFile(join(dir, 'weights.bin'), Buffer.from(weightData));
      const modelJson = {
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
        ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
      };
      await writeFile(join(dir, 'model.json'), JSON.stringify(modelJson));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weightData.byteLength } };
    },
  };
}

/** setWeights copies the values into the layer's variables: the tensors passed in are disposed here. */
function setHeadWeights(target: { setWeights(weights: tf.Tensor[]): void }, head: SoftmaxHead): void {
  const weights = [tf.tensor2d(head.weights, [head.inputLength, head.classCount]), tf.tensor1d(head.bias)];
  try {
    target.setWeights(weights);
  } finally {
    tf.dispose(weights);
  }
}

const headLayer = (head: SoftmaxHead) => tf.layers.dense({ units: head.classCount, activation: 'softmax', name: 'final_result' });

/** Saves the head as a TF.js layers model (one Dense softmax layer over the feature vector). */
export async function saveHead(head: SoftmaxHead, dir: string, metadata: HeadMetadata): Promise<void> {
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [head.inputLength], units: head.classCount, activation: 'softmax', name: 'final_result' })] });
  try {
    setHeadWeights(model, head);
    await model.save(folderSaveHandler(dir));
    await writeFile(join(dir, 'trainer.json'), JSON.stringify(metadata, null, 2) + '\n');
  } finally {
    model.dispose();
  }
}

/**
 * Writes backbone + pooling + head as one TF.js layers model: `tf.loadLayersModel` on its
 * model.json (browser or Node) gives class probabilities for a [batch, size, size, 3] image
 * tensor scaled to the backbone's input range. The labels, the backbone's description and the
 * preprocessing travel in model.json's userDefinedMetadata (`model.getUserDefinedMetadata()`)
 * and in trainer.json beside it. Only a layers backbone can be exported; returns false otherwise.
 */
export async function exportFullModel(head: SoftmaxHead, extractor: FeatureExtractor, dir: string, metadata: HeadMetadata): Promise<boolean> {
  const backbone = extractor.layersModel;
  if (!backbone) return false;
  let features = backbone.outputs[0];
  if (features.rank === 4) features = tf.layers.globalAveragePooling2d({ name: 'trialhub_pool' }).apply(features) as tf.SymbolicTensor;
  else if (features.rank !== 2) features = tf.layers.flatten({ name: 'trialhub_flatten' }).apply(features) as tf.SymbolicTensor;
  const dense = headLayer(head);
  const output = dense.apply(features) as tf.SymbolicTensor;
  // The new model shares the backbone's layers (and weights): only the new head is disposed here.
  const full = tf.model({ inputs: backbone.inputs, outputs: output, name: 'trialhub_classifier' });
  try {
    setHeadWeights(dense, head);
    const description = { labels: metadata.labels, backbone: metadata.backbone, head: metadata.head, input: { shape: [null, extractor.inputSize, extractor.inputSize, 3], range: extractor.inputRange, preprocessing: PREPROCESSING } };
    full.setUserDefinedMetadata({ trialhub: description });
    await full.save(folderSaveHandler(dir));
    await writeFile(join(dir, 'trainer.json'), JSON.stringify({ ...metadata, ...description, fullModel: '.' }, null, 2) + '\n');
    await writeFile(join(dir, 'labels.txt'), metadata.labels.join('\n') + '\n');
    return true;
  } finally {
    dense.dispose();
  }
}
