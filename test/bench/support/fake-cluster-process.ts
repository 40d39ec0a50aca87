/**
 * The fake Kubernetes API server in its own process, as a real API server would be: the
 * control plane under measurement does not share its event loop with the cluster.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as k8s from '@kubernetes/client-node';

export interface FakeClusterProcess {
  env: Record<string, string>;
  kubeconfigPath: string;
  /** How many objects of a kind the API server holds in a namespace (a real list call). */
  count(kind: 'pods' | 'persistentvolumeclaims' | 'services' | 'secrets', namespace: string): Promise<number>;
  close(): Promise<void>;
}

export async function startFakeClusterProcess(options: { nodes: number; gpusPerNode: number; kubeletDelayMs: number }): Promise<FakeClusterProcess> {
  const cli = resolve(__dirname, '../../fake-k8s/cli.js');
  const child: ChildProcess = spawn(
    process.execPath,
    [cli, '--port', '0', '--nodes', String(options.nodes), '--gpus-per-node', String(options.gpusPerNode), '--kubelet-delay-ms', String(options.kubeletDelayMs)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const kubeconfig = await new Promise<string>((res, rej) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (c) => (out += c));
    child.stderr!.on('data', (c) => {
      err += c;
      if (/serving/.test(err)) res(out);
    });
    child.once('exit', (code) => rej(new Error(`fake-k8s exited with ${code}: ${err}`)));
  });
  const dir = mkdtempSync(join(tmpdir(), 'trialhub-bench-kube-'));
  const kubeconfigPath = join(dir, 'kubeconfig.yaml');
  writeFileSync(kubeconfigPath, kubeconfig);
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  return {
    env: { RUNTIME: 'kubernetes', KUBECONFIG: kubeconfigPath, KUBE_NAMESPACE: 'trialhub-sessions', INSTALLATION_ID: 'bench' },
    kubeconfigPath,
    count: async (kind, namespace) => {
      const list =
        kind === 'pods' ? await core.listNamespacedPod({ namespace })
        : kind === 'persistentvolumeclaims' ? await core.listNamespacedPersistentVolumeClaim({ namespace })
        : kind === 'services' ? await core.listNamespacedService({ namespace })
        : await core.listNamespacedSecret({ namespace });
      return list.items.length;
    },
    close: () =>
      new Promise<void>((res) => {
        if (child.exitCode !== null) return res();
        child.once('exit', () => res());
        child.kill('SIGTERM');
      }),
  };
}
