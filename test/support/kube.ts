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

export { waitFor } from './wait';
