import { describe, expect, it } from 'vitest';
import { BackendEnvironment, selectBackend } from './backend';
import { tf } from './tf';

/** An environment where only the listed packages load; loading one may register a backend. */
function environment(gpu: boolean, installed: Record<string, () => void>): BackendEnvironment & { loaded: string[] } {
  const loaded: string[] = [];
  return {
    loaded,
    hasGpu: () => gpu,
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

  it('on this machine (no native binding installed) picks WASM', async () => {
    const choice = await selectBackend(undefined, undefined);
    expect(choice.name).toBe('wasm');
  });

  it('can be pinned, and rejects unknown names', async () => {
    expect((await selectBackend(environment(true, {}), 'cpu')).name).toBe('cpu');
    await expect(selectBackend(environment(true, {}), 'cuda')).rejects.toThrow(/Unknown backend "cuda"/);
  });
});
