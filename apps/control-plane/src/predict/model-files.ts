import type { ArtifactEntity } from '../database/entities';
import type { ArtifactStore } from '../artifacts/artifact-store';
import { readStored } from '../artifacts/read-stored';
import { sha256 } from '../common/crypto';
import { INPUT_RANGES as RANGES, type InputRange } from '@trialhub/vision';
import type { ModelPayload } from './predict-messages';

import { FULL_MODEL_JSON } from '@trialhub/contracts';

export { FULL_MODEL_JSON };
const MODEL_JSON_LIMIT = 16 * 1024 * 1024;
const WEIGHTS_LIMIT = 512 * 1024 * 1024;

export class NoModelError extends Error {}

export interface ClassifierModel {
  key: string;
  labels: string[];
  inputSize: number;
  inputRange: InputRange;
  payload: ModelPayload;
}

export const hasFullModel = (artifacts: Pick<ArtifactEntity, 'name'>[]) => artifacts.some((a) => a.name === FULL_MODEL_JSON);

/** The model files' identity: the same files are the same model, whichever link or page asks. */
export function modelKey(resultId: string, artifacts: ArtifactEntity[]): string {
  const files = artifacts.filter((a) => a.name.startsWith('full-model/')).map((a) => `${a.name}\0${a.sha256}`).sort();
  return `${resultId}:${sha256(files.join('\n'))}`;
}

/** Reads the full-model export from the store: its topology, weights (in manifest order), labels and input. */
export async function readFullModel(store: ArtifactStore, resultId: string, artifacts: ArtifactEntity[]): Promise<ClassifierModel> {
  const byName = new Map(artifacts.map((a) => [a.name, a]));
  const json = byName.get(FULL_MODEL_JSON);
  if (!json) throw new NoModelError('This result has no model that can classify photos: it was trained on stored features, or saved without its full-model export.');
  const text = await readStored(store, json.storageKey, MODEL_JSON_LIMIT);
  if (!text) throw new NoModelError('The model of this result is too large to try here.');
  let model: { modelTopology?: unknown; weightsManifest?: Array<{ paths: string[]; weights: ModelPayload['modelJson']['weightSpecs'] }>; userDefinedMetadata?: { trialhub?: { labels?: unknown; input?: { shape?: unknown; range?: unknown } } } };
  try {
    model = JSON.parse(text.toString('utf8'));
  } catch {
    throw new NoModelError('The model of this result is not valid JSON.');
  }
  const meta = model.userDefinedMetadata?.trialhub;
  const labels = Array.isArray(meta?.labels) ? meta!.labels.map(String) : [];
  if (!model.modelTopology || !Array.isArray(model.weightsManifest) || !labels.length) throw new NoModelError('The model of this result does not say its classes; it cannot be tried here.');
  const shape = Array.isArray(meta?.input?.shape) ? (meta!.input!.shape as unknown[]) : [];
  const inputSize = typeof shape[1] === 'number' && shape[1] > 0 && shape[1] <= 1024 ? shape[1] : 299;
  const inputRange = RANGES.includes(meta?.input?.range as InputRange) ? (meta!.input!.range as InputRange) : '-1,1';
  const chunks: Buffer[] = [];
  let total = 0;
  for (const path of model.weightsManifest.flatMap((g) => g.paths)) {
    const file = byName.get(`full-model/${path}`);
    if (!file) throw new NoModelError(`The model's weight file ${path} is missing from the result.`);
    total += file.size;
    if (total > WEIGHTS_LIMIT) throw new NoModelError('The model of this result is too large to try here.');
    const bytes = await readStored(store, file.storageKey, WEIGHTS_LIMIT);
    if (!bytes) throw new NoModelError('The model of this result is too large to try here.');
    chunks.push(bytes);
  }
  const all = Buffer.concat(chunks);
  const weights = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
  return { key: modelKey(resultId, artifacts), labels, inputSize, inputRange, payload: { modelJson: { modelTopology: model.modelTopology, weightSpecs: model.weightsManifest.flatMap((g) => g.weights) }, weights } };
}
