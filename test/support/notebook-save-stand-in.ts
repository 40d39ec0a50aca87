import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { SAVE_OUTPUTS_COMMAND } from '../../apps/control-plane/src/runtime/kubernetes/manifests';
import type { FakeKubernetes } from '../fake-k8s';

const ROOT = resolve(__dirname, '../..');

/**
 * The notebook image's preStop save step on the fake cluster: the image's own
 * `deploy/images/notebook/bin/trialhub-save`, run on this machine by the fake kubelet with
 * the container's environment (upload URL and token from the session's secret), and with
 * what the image provides set the way the image sets it: /data is the folder `workspaceOf`
 * gives for the pod's claim, the app is this checkout's dist/ (run `buildOnce()` first), and
 * the save deadline stays 10 s inside the grace period, as in the image.
 */
export function installNotebookSaveStandIn(fake: FakeKubernetes, workspaceOf: (claimName: string) => string): { runs: Array<{ pod: string; code: number; output: string }> } {
  const runs: Array<{ pod: string; code: number; output: string }> = [];
  fake.kubelet.onExec(SAVE_OUTPUTS_COMMAND[0], (exec) => {
    const claim = (exec.pod.spec.volumes ?? []).find((v: any) => v.persistentVolumeClaim)?.persistentVolumeClaim.claimName;
    const grace = exec.pod.metadata.deletionGracePeriodSeconds ?? exec.pod.spec.terminationGracePeriodSeconds ?? 30;
    const child = spawn(process.execPath, [join(ROOT, 'deploy/images/notebook/bin/trialhub-save')], {
      env: {
        PATH: process.env.PATH,
        ...exec.env,
        TRIALHUB_NOTEBOOK_DIR: workspaceOf(claim),
        TRIALHUB_APP_DIR: ROOT,
        TRIALHUB_SAVE_DEADLINE_SECONDS: String(Math.max(1, grace - 10)),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    // The kubelet kills the container when the grace period ends: the hook goes with it.
    exec.signal.addEventListener('abort', () => child.kill('SIGKILL'));
    return new Promise<number>((done) => {
      child.on('exit', (code, signal) => {
        const exitCode = code ?? (signal ? 137 : 1);
        runs.push({ pod: exec.pod.metadata.name, code: exitCode, output });
        done(exitCode);
      });
    });
  });
  return { runs };
}
