import type { RuntimeProfile } from '../session-runtime';
import { KubernetesApiError } from './kube-api';

/**
 * Refusals of a pod by the API server's admission that a user should read in their own terms
 * (the session's failure message), not as the API server's words: RuntimeClass, Pod Security
 * and ResourceQuota. Only RBAC refusals ("cannot create resource") are about our own role.
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
  const podSecurity = /violates PodSecurity "([^"]+)": (.*?)(?: \(HTTP 403[^)]*\))?$/.exec(err.message);
  if (podSecurity) {
    return new KubernetesApiError(
      `the cluster's Pod Security policy ("${podSecurity[1]}") on the sessions namespace refused the notebook pod of profile "${profile.name}": ${podSecurity[2]}. ` +
        `An administrator must change the profile or the namespace's pod-security.kubernetes.io/enforce label; the notebook cannot start as it is.`,
      403,
      'PodSecurityRefused',
    );
  }
  const quota = /exceeded quota: ([^,]+), requested: (.*?), used: (.*?), limited: (.*?)(?: \(HTTP 403[^)]*\))?$/.exec(err.message);
  if (quota) {
    return new KubernetesApiError(
      `the sessions namespace's resource quota "${quota[1]}" is used up: this notebook asks for ${quota[2]}, ${quota[3]} is already in use, and the quota allows ${quota[4]}. ` +
        `Try again once other sessions have stopped, or ask an administrator to raise the quota.`,
      403,
      'QuotaExceeded',
    );
  }
  const unstated = /failed quota: ([^:]+): must specify (.*?)(?: \(HTTP 403[^)]*\))?$/.exec(err.message);
  if (unstated) {
    return new KubernetesApiError(`the sessions namespace's resource quota "${unstated[1]}" requires every pod to state ${unstated[2]}, which the profile "${profile.name}" does not. An administrator must set it in the profile.`, 403, 'QuotaRefused');
  }
  return err;
}
