/**
 * Small synthetic data and models for the trainer's tests: coloured images with noise (one
 * colour per class), Gaussian-cluster bottlenecks in the seed's .txt format, and a tiny conv
 * net saved in the real TF.js format (model.json + weights) that the trainer loads through
 * its own loading code, from a folder or over HTTP.
 */
import { createServer, Server } from 'node:http';
import { mkdirSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs';

/** Deterministic pseudo-random numbers (so fixtures are the same on every run). */
export function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

const COLOURS: Record<string, [number, number, number]> = { red: [200, 40, 40], blue: [40, 60, 200], green: [40, 180, 60] };

/** A noisy image dominated by one colour, with a random width/height so resizing is exercised. */
export async function colourImage(colour: keyof typeof COLOURS | [number, number, number], seed: number, format: 'png' | 'jpeg' = 'png'): Promise<Buffer> {
  const rand = prng(seed);
  const [w, h] = [24 + Math.floor(rand() * 24), 24 + Math.floor(rand() * 24)];
  const base = Array.isArray(colour) ? colour : COLOURS[colour];
  const raw = Buffer.alloc(w * h * 3);
  for (let i = 0; i < w * h; i++) for (let c = 0; c < 3; c++) raw[i * 3 + c] = Math.max(0, Math.min(255, base[c] + Math.round((rand() - 0.5) * 60)));
  const img = sharp(raw, { raw: { width: w, height: h, channels: 3 } });
  return format === 'png' ? img.png().toBuffer() : img.jpeg().toBuffer();
}

/** `dir/<class>/<prefix>NN.png|jpg` images, `counts[class]` of each. */
export async function writeImageDataset(dir: string, counts: Record<string, number>, options: { prefix?: string; seed?: number } = {}): Promise<void> {
  let seed = options.seed ?? 1;
  for (const [className, n] of Object.entries(counts)) {
    mkdirSync(join(dir, className), { recursive: true });
    for (let i = 0; i < n; i++) {
      const format = i % 2 ? 'jpeg' : 'png';
      const file = `${options.prefix ?? className[0]}${String(i).padStart(2, '0')}.${format === 'png' ? 'png' : 'jpg'}`;
      writeFileSync(join(dir, className, file), await colourImage(className as keyof typeof COLOURS, seed++, format));
    }
  }
}

/** `dir/<class>/<name>.txt` vectors around a per-class centre (separable, with noise). */
export function writeBottleneckDataset(dir: string, counts: Record<string, number>, length = 16, seed = 7): void {
  const rand = prng(seed);
  Object.entries(counts).forEach(([className, n], k) => {
    mkdirSync(join(dir, className), { recursive: true });
    for (let i = 0; i < n; i++) {
      const v = Array.from({ length }, (_, d) => (d % Object.keys(counts).length === k ? 1 : 0) + (rand() - 0.5) * 0.8);
      writeFileSync(join(dir, className, `${className}-${String(i).padStart(3, '0')}.jpg.txt`), v.map((x) => x.toFixed(6)).join(','));
    }
  });
}

/**
 * A tiny image model: two convolutions (the second named `features`), pooling and a dense
 * layer. Fixed seeds, so its features are the same on every run. Saved as model.json plus a
 * weights file, exactly as TF.js's own savers lay them out.
 */
export async function writeTinyModel(dir: string, inputSize = 32): Promise<{ layerNames: string[] }> {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [inputSize, inputSize, 3], filters: 6, kernelSize: 3, strides: 2, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }), name: 'conv1' }),
      tf.layers.conv2d({ filters: 8, kernelSize: 3, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }), name: 'features' }),
      tf.layers.globalAveragePooling2d({ name: 'pool' }),
      tf.layers.dense({ units: 5, kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }), name: 'logits' }),
    ],
  });
  mkdirSync(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      writeFileSync(join(dir, 'group1-shard1of1.bin'), Buffer.from(artifacts.weightData as ArrayBuffer));
      writeFileSync(
        join(dir, 'model.json'),
        JSON.stringify({ format: 'layers-model', generatedBy: artifacts.generatedBy, convertedBy: null, modelTopology: artifacts.modelTopology, weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: artifacts.weightSpecs }] }),
      );
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const layerNames = model.layers.map((l) => l.name);
  model.dispose();
  return { layerNames };
}

/** Serves a folder read-only on 127.0.0.1 (for loading models by URL); counts requests. */
export async function serveFolder(dir: string): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    requests.push(path);
    const file = join(dir, path);
    if (!existsSync(file)) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': extname(file) === '.json' ? 'application/json' : 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise((r) => server.close(() => r())) };
}
