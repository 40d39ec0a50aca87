import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { NOTEBOOK_CONTAINER, NOTEBOOK_PORT } from '../../apps/control-plane/src/runtime/kubernetes/manifests';
import type { FakeKubernetes } from '../fake-k8s';

const ROOT = resolve(__dirname, '../..');

/**
 * The notebook container on the fake cluster: the image's own entry point
 * (`deploy/images/notebook/bin/start-notebook`) run on this machine with the container's
 * environment, listening on the pod's IP and port as in the cluster, so the pod's readiness
 * probe and the control plane's proxy reach a real Jupyter. What the image provides is set the
 * way the image has it: /data is the folder `workspaceOf` gives for the pod's claim, the baked
 * notebooks are this checkout's (no example data or model: the tests here do not train).
 */
export function installNotebookStandIn(fake: FakeKubernetes, workspaceOf: (claimName: string) => string): { logs: Map<string, string> } {
  const logs = new Map<string, string>();
  fake.kubelet.runContainers((_pod, container) => container.name === NOTEBOOK_CONTAINER, ({ pod, env, podIP, signal }) => {
    const claim = (pod.spec.volumes ?? []).find((v: any) => v.persistentVolumeClaim)?.persistentVolumeClaim.claimName;
    const data = workspaceOf(claim);
    mkdirSync(data, { recursive: true });
    const home = mkdtempSync(join(tmpdir(), 'trialhub-notebook-image-'));
    symlinkSync(join(ROOT, 'apps/trainer/notebooks'), join(home, 'notebooks'));
    const extra = process.getuid?.() === 0 ? ['--allow-root'] : []; // the image runs as uid 1000; tests may run as root
    const child = spawn(join(ROOT, 'deploy/images/notebook/bin/start-notebook'), extra, {
      env: {
        PATH: process.env.PATH,
        ...env,
        HOME: home,
        TMPDIR: home,
        TRIALHUB_HOME: home,
        TRIALHUB_NOTEBOOK_DIR: data,
        TRIALHUB_NOTEBOOK_IP: podIP,
        TRIALHUB_NOTEBOOK_PORT: String(NOTEBOOK_PORT),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    // The kubelet stopping the container: SIGTERM, as a container runtime sends it.
    signal.addEventListener('abort', () => child.kill('SIGTERM'));
    return new Promise<number>((done) => {
      child.on('exit', (code, killedBy) => {
        logs.set(pod.metadata.name, output);
        done(code ?? (killedBy ? 143 : 1));
      });
    });
  });
  return { logs };
}
