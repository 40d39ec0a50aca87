/** What the try-it pool and its workers say to each other. */
export interface ModelPayload {
  modelJson: { modelTopology: unknown; weightSpecs: import('@tensorflow/tfjs').io.WeightsManifestEntry[] };
  weights: ArrayBuffer;
}

export interface PredictRequest {
  id: number;
  /** Result id + the model files' hashes: a new upload is a new model. */
  modelKey: string;
  /** Sent only when the worker answered NEEDS_MODEL (it keeps the last few models). */
  model?: ModelPayload;
  pixels: Float32Array;
  size: number;
}

export type PredictResponse =
  | { id: number; ok: true; scores: number[]; backend: string; ms: number }
  | { id: number; ok: false; code: 'NEEDS_MODEL' | 'FAILED'; message: string };
