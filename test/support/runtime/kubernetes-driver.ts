import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FakeKubernetes } from '../../fake-k8s';
import type { RuntimeObservation } from '../../../apps/control-plane/src/runtime/session-runtime';
import { KubernetesRuntime, type KubernetesRuntimeOptions } from '../../../apps/control-plane/src/runtime/kubernetes/kubernetes-runtime';

/** Test support for the driver's integration tests: a runtime pointed at the fake API server through a kubeconfig file. */
export function writeKubeconfig(fake: FakeKubernetes): string {
  const path = join(mkdtempSync(join(tmpdir(), 'trialhub-k8s-driver-')), 'kubeconfig.yaml');
  writeFileSync(path, fake.kubeconfigYaml);
  return path;
}

const quiet = { log: () => undefined, warn: () => undefined, error: (m: string) => console.error(m) };

export function runtimeFor(fake: FakeKubernetes, namespace: string, options: Partial<KubernetesRuntimeOptions> = {}): KubernetesRuntime {
  return new KubernetesRuntime(
    {
      namespace,
      installationId: 'driver-test',
      kubeconfigPath: writeKubeconfig(fake),
      endpoint: 'pod-ip',
      resyncIntervalMs: 2000,
      requestTimeoutMs: 2000,
      terminationGracePeriodSeconds: 5,
      retry: { maxAttempts: 8, baseDelayMs: 20, maxDelayMs: 200 },
      watchBackoff: { initialMs: 50, maxMs: 500 },
      ...options,
    },
    quiet,
  );
}

/** Waits until the runtime reports an observation for the session that satisfies `predicate`. */
export function observed(runtime: KubernetesRuntime, sessionId: string, predicate: (o: RuntimeObservation | undefined) => boolean, what: string, timeoutMs = 10_000): Promise<RuntimeObservation | undefined> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const o = runtime.observe(sessionId);
      if (!predicate(o)) return false;
      clearTimeout(timer);
      clearInterval(poll);
      unwatch();
      resolve(o);
      return true;
    };
    const unwatch = runtime.watch((o) => o.sessionId === sessionId && check());
    const poll = setInterval(check, 100);
    const timer = setTimeout(() => {
      clearInterval(poll);
      unwatch();
      reject(new Error(`Timed out waiting for ${what}; last observation: ${JSON.stringify(runtime.observe(sessionId))}`));
    }, timeoutMs);
    check();
  });
}
