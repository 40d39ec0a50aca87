import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { TrainerInputError } from './errors';
import { INPUT_RANGES, InputRange, loadImagePixels } from './images';
import { loadModelArtifacts } from './model-loader';
import { tf } from './tf';

/** A full-model export loaded for prediction: the model and what its metadata says about it. */
export interface Classifier {
  dir: string;
  labels: string[];
  inputSize: number;
  inputRange: InputRange;
  predict(imagePath: string): Promise<{ label: string; confidence: number; scores: Record<string, number> }>;
  dispose(): void;
}

/** The full-model folder for DIR: DIR itself, or DIR/full-model for a run's output folder. */
export function fullModelFolder(dir: string): string {
  if (!existsSync(dir)) throw new TrainerInputError(`The model folder ${dir} does not exist.`);
  if (!statSync(dir).isDirectory()) throw new TrainerInputError(`${dir} is not a folder; give the full-model/ folder of a training run (or the run folder).`);
  if (existsSync(join(dir, 'model.json'))) return dir;
  if (existsSync(join(dir, 'full-model', 'model.json'))) return join(dir, 'full-model');
  throw new TrainerInputError(`${dir} holds no model.json (nor full-model/model.json); give the full-model/ folder a training run with --model wrote.`);
}

interface TrialhubMetadata {
  labels?: unknown;
  input?: { shape?: unknown; range?: unknown };
}

/**
 * Loads a full-model export (backbone + head in one TF.js layers model, written by the trainer
 * as full-model/). Labels, input size and range come from the model's own metadata.
 */
export async function loadClassifier(dir: string): Promise<Classifier> {
  const folder = fullModelFolder(dir);
  const { artifacts, kind } = await loadModelArtifacts(folder);
  if (kind !== 'layers') throw new TrainerInputError(`${folder}/model.json is a graph model; a full-model export is a layers model.`);
  const meta = ((artifacts.userDefinedMetadata as { trialhub?: TrialhubMetadata } | undefined)?.trialhub ?? {}) as TrialhubMetadata;
  const labels = Array.isArray(meta.labels) ? meta.labels.map(String) : [];
  if (!labels.length) throw new TrainerInputError(`${folder}/model.json has no class labels in its metadata; it is not a full model exported by the trainer (the head alone, model/, needs the backbone's features).`);
  const model = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  const shape = model.inputs[0].shape;
  const inputSize = shape[1] ?? 299;
  const inputRange = INPUT_RANGES.includes(meta.input?.range as InputRange) ? (meta.input!.range as InputRange) : '-1,1';
  return {
    dir: folder,
    labels,
    inputSize,
    inputRange,
    async predict(imagePath: string) {
      let pixels: Float32Array;
      try {
        pixels = await loadImagePixels(imagePath, inputSize, inputRange);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        const why = !existsSync(imagePath) ? 'no such file' : code ?? `not a readable JPEG/PNG image (${(error as Error).message.split('\n')[0]})`;
        throw new TrainerInputError(`${imagePath}: ${why}`);
      }
      const scores = tf.tidy(() => (model.predict(tf.tensor4d(pixels, [1, inputSize, inputSize, 3])) as tf.Tensor).arraySync() as number[][])[0];
      let best = 0;
      for (let i = 1; i < scores.length; i++) if (scores[i] > scores[best]) best = i;
      return { label: labels[best], confidence: scores[best], scores: Object.fromEntries(labels.map((l, i) => [l, scores[i]])) };
    },
    dispose: () => model.dispose(),
  };
}
