import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { tf } from './tf';

export type BackendName = 'tfjs-node-gpu' | 'tfjs-node' | 'wasm' | 'cpu';

export interface BackendChoice {
  /** What was chosen (written to metrics.json). */
  name: BackendName;
  /** The TF.js backend name it registered (`tensorflow`, `wasm`, `cpu`). */
  tfBackend: string;
  /** Why the better candidates were passed over, for the log. */
  skipped: { name: BackendName; reason: string }[];
  /** For the native backends: the package that provides it (tfjs-node-gpu without a CUDA device counts as tfjs-node). */
  package?: string;
}

export interface BackendEnvironment {
  /** Whether an NVIDIA GPU is visible to this process. */
  hasGpu(): boolean;
  /** Loads a package by name; throws when it is not installed or fails to load. */
  load(packageName: string): unknown;
  /** After tfjs-node-gpu's backend is active: whether TensorFlow itself found a CUDA device (else it runs on the CPU). */
  cudaDeviceInUse(): boolean;
}

const localRequire = createRequire(__filename);
// setWasmPaths may only be called before the WASM backend first initialises.
let wasmPathsSet = false;

/** Looks for the device files and driver entries the NVIDIA driver creates. */
export function nvidiaGpuVisible(): boolean {
  try {
    if (existsSync('/proc/driver/nvidia/gpus') && readdirSync('/proc/driver/nvidia/gpus').length > 0) return true;
  } catch {
    // unreadable /proc entry: fall through to the device check
  }
  return existsSync('/dev/nvidia0');
}

/** tfjs-node's backend says whether its TensorFlow placed work on a GPU (`isUsingGpuDevice`). */
export function tensorflowUsesGpu(): boolean {
  return (tf.backend() as { isUsingGpuDevice?: unknown }).isUsingGpuDevice === true;
}

export const systemEnvironment: BackendEnvironment = {
  hasGpu: nvidiaGpuVisible,
  load: (name) => localRequire(name),
  cudaDeviceInUse: tensorflowUsesGpu,
};

function describe(error: unknown): string {
  const e = error as { code?: string; message?: string };
  if (e?.code === 'MODULE_NOT_FOUND') return 'not installed';
  return (e?.message ?? String(error)).split('\n')[0];
}

/** Where the WASM backend's .wasm files are inside node_modules (no network needed). */
export function wasmDirectory(): string {
  return dirname(localRequire.resolve('@tensorflow/tfjs-backend-wasm')) + '/';
}

/**
 * Chooses the fastest backend that works here: the native TensorFlow GPU binding when it is
 * installed and a GPU is visible, the native CPU binding, else WebAssembly (always present).
 * Packages are loaded at run time so that their absence is normal, not an error.
 * `force` (or env TRIALHUB_TF_BACKEND) pins one, e.g. `cpu` for debugging.
 */
export async function selectBackend(env: BackendEnvironment = systemEnvironment, force = process.env.TRIALHUB_TF_BACKEND): Promise<BackendChoice> {
  const skipped: BackendChoice['skipped'] = [];
  const wanted = (name: BackendName) => !force || force === name;
  if (force && !['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'].includes(force)) {
    throw new Error(`Unknown backend "${force}"; use tfjs-node-gpu, tfjs-node, wasm or cpu.`);
  }

  for (const name of ['tfjs-node-gpu', 'tfjs-node'] as const) {
    if (!wanted(name)) continue;
    if (name === 'tfjs-node-gpu' && !env.hasGpu()) {
      skipped.push({ name, reason: 'no GPU visible' });
      continue;
    }
    try {
      env.load(`@tensorflow/${name}`);
      if (!(await tf.setBackend('tensorflow'))) {
        skipped.push({ name, reason: 'loaded but its backend did not initialise' });
        continue;
      }
      // The GPU package falls back to the CPU silently when CUDA finds no device (or no driver):
      // then it is native TensorFlow on the CPU, reported as such.
      if (name === 'tfjs-node-gpu' && !env.cudaDeviceInUse()) {
        skipped.push({ name, reason: 'installed, but TensorFlow found no CUDA device (running its CPU kernels)' });
        return { name: 'tfjs-node', tfBackend: 'tensorflow', skipped, package: '@tensorflow/tfjs-node-gpu' };
      }
      return { name, tfBackend: 'tensorflow', skipped, package: `@tensorflow/${name}` };
    } catch (error) {
      skipped.push({ name, reason: describe(error) });
    }
  }
  if (wanted('wasm')) {
    try {
      const wasm = env.load('@tensorflow/tfjs-backend-wasm') as { setWasmPaths(prefix: string): void };
      if (!wasmPathsSet) wasm.setWasmPaths(wasmDirectory());
      wasmPathsSet = true;
      if (await tf.setBackend('wasm')) return { name: 'wasm', tfBackend: 'wasm', skipped };
      skipped.push({ name: 'wasm', reason: 'did not initialise' });
    } catch (error) {
      skipped.push({ name: 'wasm', reason: describe(error) });
    }
  }
  await tf.setBackend('cpu');
  return { name: 'cpu', tfBackend: 'cpu', skipped };
}
