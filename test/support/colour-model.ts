import * as tf from '@tensorflow/tfjs';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';

/**
 * A full-model export as the trainer writes it (one TF.js layers model, labels and input in its
 * metadata), tiny and with chosen weights: red photos are "red", blue photos are "blue".
 */
export async function writeColourModel(dir: string): Promise<void> {
  const size = 8;
  const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [size, size, 3] }), tf.layers.dense({ units: 2, activation: 'softmax', name: 'final_result' })] });
  const kernel = new Float32Array(size * size * 3 * 2);
  for (let i = 0; i < size * size * 3; i++) {
    const channel = i % 3;
    kernel[i * 2] = channel === 0 ? 1 : channel === 2 ? -1 : 0;
    kernel[i * 2 + 1] = -kernel[i * 2];
  }
  model.layers[1].setWeights([tf.tensor2d(kernel, [size * size * 3, 2]), tf.tensor1d([0, 0])]);
  model.setUserDefinedMetadata({ trialhub: { labels: ['red', 'blue'], input: { shape: [null, size, size, 3], range: '0,1' } } });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'weights.bin'), Buffer.from(artifacts.weightData as ArrayBuffer));
      const json = { format: 'layers-model', modelTopology: artifacts.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }], userDefinedMetadata: artifacts.userDefinedMetadata };
      writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
}

export const photo = (colour: { r: number; g: number; b: number }, format: 'png' | 'jpeg' = 'png', width = 64, height = 48) =>
  sharp({ create: { width, height, channels: 3, background: colour } })[format]().toBuffer();
