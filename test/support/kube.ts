import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeKubernetes, type FakeKubernetes, type FakeKubernetesOptions } from '../fake-k8s';

/** The fake Kubernetes API server plus the environment that points a control plane at it. */
export async function startFakeCluster(options: FakeKubernetesOptions = {}): Promise<{ fake: FakeKubernetes; env: Record<string, string>; kubeconfigPath: string }> {
  const fake = await startFakeKubernetes({ port: 0, kubeletDelayMs: 20, ...options });
  const dir = mkdtempSync(join(tmpdir(), 'trialhub-kube-'));
  const kubeconfigPath = join(dir, 'kubeconfig.yaml');
  writeFileSync(kubeconfigPath, fake.kubeconfigYaml);
  return { fake, kubeconfigPath, env: { RUNTIME: 'kubernetes', KUBECONFIG: kubeconfigPath, KUBE_NAMESPACE: 'trialhub-sessions', INSTALLATION_ID: 'e2e' } };
}

export const sessionPods = (fake: FakeKubernetes) => fake.objects('pods', 'trialhub-sessions');

export async function waitFor<T>(what: string, fn: () => Promise<T> | T, ok: (v: T) => boolean, timeoutMs = 20_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await fn();
    if (ok(last)) return last;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}; last value: ${JSON.stringify(last)?.slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
