import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SoftmaxHead } from './head';
import { tf } from './tf';

/** What a consumer needs to use the saved head on new images, stored next to model.json. */
export interface HeadMetadata {
  labels: string[];
  featureModel: { source: string; id: string; featureOutput?: string; inputRange: string; inputSize: number } | null;
  featureLength: number;
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
      };
      await writeFile(join(dir, 'model.json'), JSON.stringify(modelJson));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weightData.byteLength } };
    },
  };
}

/** Saves the head as a TF.js layers model (one Dense softmax layer over the feature vector). */
export async function saveHead(head: SoftmaxHead, dir: string, metadata: HeadMetadata): Promise<void> {
  const model = tf.sequential({
    layers: [tf.layers.dense({ inputShape: [head.inputLength], units: head.classCount, activation: 'softmax', name: 'final_result' })],
  });
  try {
    model.setWeights([tf.tensor2d(head.weights, [head.inputLength, head.classCount]), tf.tensor1d(head.bias)]);
    await model.save(folderSaveHandler(dir));
    await writeFile(join(dir, 'trainer.json'), JSON.stringify(metadata, null, 2) + '\n');
  } finally {
    model.dispose();
  }
}
