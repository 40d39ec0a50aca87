import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { BackendEnvironment, nvidiaGpuVisible, selectBackend, tensorflowUsesGpu } from './backend';
import { tf } from './tf';

/** An environment where only the listed packages load; loading one may register a backend. */
function environment(gpu: boolean, installed: Record<string, () => void>, cudaDevice = gpu): BackendEnvironment & { loaded: string[] } {
  const loaded: string[] = [];
  return {
    loaded,
    hasGpu: () => gpu,
    cudaDeviceInUse: () => cudaDevice,
    load(name: string) {
      loaded.push(name);
      if (name === '@tensorflow/tfjs-backend-wasm') return require('@tensorflow/tfjs-backend-wasm');
      const install = installed[name];
      if (!install) throw Object.assign(new Error(`Cannot find module '${name}'`), { code: 'MODULE_NOT_FOUND' });
      install();
      return {};
    },
  };
}

/** Stands in for tfjs-node: registers a backend named "tensorflow" (a CPU backend underneath). */
const registerTensorflowBackend = () => {
  if (!tf.findBackendFactory('tensorflow')) tf.registerBackend('tensorflow', tf.findBackendFactory('cpu')!, 1);
};

describe('backend selection', () => {
  it('falls back to WASM where neither native binding is installed, and says why', async () => {
    const env = environment(true, {});
    const choice = await selectBackend(env, undefined);
    expect(choice.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(env.loaded).toEqual(['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node', '@tensorflow/tfjs-backend-wasm']);
    expect(choice.skipped).toEqual([
      { name: 'tfjs-node-gpu', reason: 'not installed' },
      { name: 'tfjs-node', reason: 'not installed' },
    ]);
  });

  it('does not try the GPU binding when no GPU is visible', async () => {
    const env = environment(false, {});
    const choice = await selectBackend(env, undefined);
    expect(env.loaded).not.toContain('@tensorflow/tfjs-node-gpu');
    expect(choice.skipped[0]).toEqual({ name: 'tfjs-node-gpu', reason: 'no GPU visible' });
  });

  it('prefers tfjs-node-gpu when it is installed and a GPU is there', async () => {
    const choice = await selectBackend(environment(true, { '@tensorflow/tfjs-node-gpu': registerTensorflowBackend }), undefined);
    expect(choice).toMatchObject({ name: 'tfjs-node-gpu', tfBackend: 'tensorflow' });
    expect(tf.getBackend()).toBe('tensorflow');
  });

  it('does not report the GPU when tfjs-node-gpu loaded but TensorFlow found no CUDA device', async () => {
    const choice = await selectBackend(environment(true, { '@tensorflow/tfjs-node-gpu': registerTensorflowBackend }, false), undefined);
    expect(choice).toMatchObject({ name: 'tfjs-node', tfBackend: 'tensorflow', package: '@tensorflow/tfjs-node-gpu' });
    expect(choice.skipped).toEqual([{ name: 'tfjs-node-gpu', reason: 'installed, but TensorFlow found no CUDA device (running its CPU kernels)' }]);
  });

  it('uses tfjs-node when only it is installed', async () => {
    const choice = await selectBackend(environment(true, { '@tensorflow/tfjs-node': registerTensorflowBackend }), undefined);
    expect(choice.name).toBe('tfjs-node');
    expect(choice.skipped).toEqual([{ name: 'tfjs-node-gpu', reason: 'not installed' }]);
  });

  it('reports a binding that is installed but broken, and moves on', async () => {
    const choice = await selectBackend(environment(false, { '@tensorflow/tfjs-node': () => { throw new Error('libtensorflow.so: cannot open shared object file'); } }), undefined);
    expect(choice.name).toBe('wasm');
    expect(choice.skipped[1]).toEqual({ name: 'tfjs-node', reason: 'libtensorflow.so: cannot open shared object file' });
  });

  it('on this machine picks the best backend that is really there', async () => {
    // What is installed, found without the code under test.
    const resolvable = (name: string) => {
      try {
        createRequire(__filename).resolve(name);
        return true;
      } catch {
        return false;
      }
    };
    const gpuPackage = resolvable('@tensorflow/tfjs-node-gpu');
    const cpuPackage = resolvable('@tensorflow/tfjs-node');
    const choice = await selectBackend(undefined, undefined);
    const nativeCandidate = (gpuPackage && nvidiaGpuVisible()) || cpuPackage;
    if (!nativeCandidate || choice.name === 'wasm') {
      expect(choice.name).toBe('wasm');
      expect(tf.getBackend()).toBe('wasm');
      // An installed binding that did not load is passed over with its reason, never silently.
      if (nativeCandidate) expect(choice.skipped.some((s) => s.reason !== 'not installed' && s.reason !== 'no GPU visible')).toBe(true);
      return;
    }
    // A native binding is in use (a GPU image): "GPU" only when TensorFlow placed work on a CUDA device.
    expect(['tfjs-node-gpu', 'tfjs-node']).toContain(choice.name);
    expect(tf.getBackend()).toBe('tensorflow');
    expect(choice.name === 'tfjs-node-gpu').toBe(tensorflowUsesGpu());
    if (!nvidiaGpuVisible()) expect(choice.name).toBe('tfjs-node');
  });

  it('can be pinned, and rejects unknown names', async () => {
    expect((await selectBackend(environment(true, {}), 'cpu')).name).toBe('cpu');
    await expect(selectBackend(environment(true, {}), 'cuda')).rejects.toThrow(/Unknown backend "cuda"/);
  });
});
