import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { FakeKubernetes } from './index';

/** Helpers shared by the fake API server's own tests (not a spec file). */
export function coreApi(fake: FakeKubernetes): { kc: KubeConfig; core: CoreV1Api } {
  const kc = new KubeConfig();
  kc.loadFromString(fake.kubeconfigYaml);
  return { kc, core: kc.makeApiClient(CoreV1Api) };
}

/** The Status body of a failed client-node call. */
export async function statusOf(call: Promise<unknown>): Promise<any> {
  try {
    await call;
  } catch (error: any) {
    if (error?.code === undefined) throw error;
    return typeof error.body === 'string' ? JSON.parse(error.body) : error.body;
  }
  throw new Error('expected the call to fail');
}

export async function eventually<T>(what: string, read: () => T | Promise<T>, ok: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await read();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 15));
  }
  throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)?.slice(0, 2000)}`);
}

export const pod = (name: string, extra: { labels?: Record<string, string>; spec?: Record<string, unknown>; container?: Record<string, unknown> } = {}) => ({
  metadata: { name, labels: extra.labels ?? { app: 'demo' } },
  spec: { containers: [{ name: 'main', image: 'registry.example/app:1.0', ...(extra.container ?? {}) }], ...(extra.spec ?? {}) },
});

/** A pod that fits on a default GPU node: tolerates the GPU taint. */
export const gpuPod = (name: string, gpus = 1, arch?: string, labels?: Record<string, string>) =>
  pod(name, {
    labels,
    container: { resources: { limits: { 'nvidia.com/gpu': String(gpus) } } },
    spec: { tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }], ...(arch ? { nodeSelector: { 'kubernetes.io/arch': arch } } : {}) },
  });
