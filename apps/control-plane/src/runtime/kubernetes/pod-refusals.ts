import type { RuntimeProfile } from '../session-runtime';
import { KubernetesApiError } from './kube-api';

/**
 * Refusals of a pod by the API server's admission that a user should read in their own terms
 * (the session's failure message), not as the API server's words.
 */
export function explainPodRefusal(err: unknown, profile: RuntimeProfile): unknown {
  if (!(err instanceof KubernetesApiError) || err.status !== 403) return err;
  const missing = /pod rejected: RuntimeClass "([^"]+)" not found/.exec(err.message);
  if (missing) {
    return new KubernetesApiError(
      `the profile "${profile.name}" runs notebooks in the sandboxed runtime "${missing[1]}" (a Kubernetes RuntimeClass), which this cluster does not have. ` +
        `An administrator must install it (deploy/README.md, "Sandboxed runtimes") or clear the profile's runtime class.`,
      403,
      'RuntimeClassNotFound',
    );
  }
  const conflict = /forbidden: (conflict: runtimeClass\.scheduling\.nodeSelector.*)$/.exec(err.message);
  if (conflict) {
    return new KubernetesApiError(`the profile "${profile.name}" asks for nodes its runtime class "${profile.runtimeClassName}" does not run on (${conflict[1]}). An administrator must fix the profile.`, 403, 'RuntimeClassConflict');
  }
  return err;
}
