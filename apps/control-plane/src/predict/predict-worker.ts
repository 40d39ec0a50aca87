/**
 * One try-it worker thread: TensorFlow.js on its own engine (tfjs-node-gpu where it is installed
 * and a GPU is visible, else WebAssembly), holding the few models it was asked for most recently.
 * The main thread decodes photos (sharp) and sends pixels; nothing here touches the network.
 */
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { parentPort } from 'node:worker_threads';
import type { PredictRequest, PredictResponse } from './predict-messages';

type Tf = typeof import('@tensorflow/tfjs');
const localRequire = createRequire(__filename);
const MODELS_KEPT = 2;

const gpuVisible = () => existsSync('/dev/nvidia0') || (existsSync('/proc/driver/nvidia/gpus') && readdirSync('/proc/driver/nvidia/gpus').length > 0);

async function loadEngine(): Promise<{ tf: Tf; backend: string }> {
  if (gpuVisible()) {
    try {
      const tf = localRequire('@tensorflow/tfjs-node-gpu') as Tf;
      await tf.ready();
      return { tf, backend: 'tfjs-node-gpu' };
    } catch {
      // not installed or no CUDA: WebAssembly below
    }
  }
  const tf = localRequire('@tensorflow/tfjs') as Tf;
  const wasm = localRequire('@tensorflow/tfjs-backend-wasm') as { setWasmPaths(p: string): void };
  wasm.setWasmPaths(dirname(localRequire.resolve('@tensorflow/tfjs-backend-wasm')) + '/');
  await tf.setBackend('wasm');
  await tf.ready();
  return { tf, backend: 'wasm' };
}

const engine = loadEngine();
const models = new Map<string, import('@tensorflow/tfjs').LayersModel>();

async function modelFor(tf: Tf, request: PredictRequest): Promise<import('@tensorflow/tfjs').LayersModel> {
  const cached = models.get(request.modelKey);
  if (cached) {
    models.delete(request.modelKey);
    models.set(request.modelKey, cached);
    return cached;
  }
  if (!request.model) throw Object.assign(new Error('model not loaded'), { code: 'NEEDS_MODEL' });
  const { modelJson, weights } = request.model;
  const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs: modelJson.weightSpecs, weightData: weights }));
  models.set(request.modelKey, model);
  while (models.size > MODELS_KEPT) {
    const [oldest] = models.keys();
    models.get(oldest)!.dispose();
    models.delete(oldest);
  }
  return model;
}

parentPort!.on('message', async (request: PredictRequest) => {
  let answer: PredictResponse;
  try {
    const { tf, backend } = await engine;
    const model = await modelFor(tf, request);
    const started = performance.now();
    const scores = tf.tidy(() => (model.predict(tf.tensor4d(request.pixels, [1, request.size, request.size, 3])) as import('@tensorflow/tfjs').Tensor).dataSync());
    answer = { id: request.id, ok: true, scores: Array.from(scores), backend, ms: performance.now() - started };
  } catch (error) {
    const e = error as Error & { code?: string };
    answer = { id: request.id, ok: false, code: e.code === 'NEEDS_MODEL' ? 'NEEDS_MODEL' : 'FAILED', message: e.message };
  }
  parentPort!.postMessage(answer);
});
