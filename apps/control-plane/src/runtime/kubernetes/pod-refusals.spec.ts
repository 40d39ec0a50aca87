import { describe, expect, it } from 'vitest';
import { KubernetesApiError } from './kube-api';
import { explainPodRefusal } from './pod-refusals';
import { sessionSpec } from '../../../../../test/support/runtime/session-specs';

const profile = { ...sessionSpec().profile, name: 'x86-gpu', runtimeClassName: 'gvisor' };
const refused = (message: string, status = 403) => new KubernetesApiError(`Kubernetes refused to create pod trialhub-s-1: ${message} (HTTP ${status} Forbidden)`, status, 'Forbidden');

describe('explainPodRefusal', () => {
  it('says which profile names a RuntimeClass the cluster does not have, and what an administrator can do', () => {
    const err = explainPodRefusal(refused('pods "trialhub-s-1" is forbidden: pod rejected: RuntimeClass "gvisor" not found'), profile) as KubernetesApiError;
    expect(err.message).toBe(
      'the profile "x86-gpu" runs notebooks in the sandboxed runtime "gvisor" (a Kubernetes RuntimeClass), which this cluster does not have. ' +
        'An administrator must install it (deploy/README.md, "Sandboxed runtimes") or clear the profile\'s runtime class.',
    );
    expect(err.reason).toBe('RuntimeClassNotFound');
  });

  it('explains a node selector that contradicts the RuntimeClass\'s', () => {
    const err = explainPodRefusal(refused('pods "trialhub-s-1" is forbidden: conflict: runtimeClass.scheduling.nodeSelector[kubernetes.io/arch] = ppc64le; pod.spec.nodeSelector[kubernetes.io/arch] = amd64'), profile) as Error;
    expect(err.message).toMatch(/^the profile "x86-gpu" asks for nodes its runtime class "gvisor" does not run on \(conflict: runtimeClass\.scheduling\.nodeSelector\[kubernetes\.io\/arch\] = ppc64le;/);
  });

  it('leaves every other error as it was (RBAC, validation, network)', () => {
    for (const err of [refused('pods is forbidden: User "x" cannot create resource "pods"'), refused('Pod "x" is invalid', 422), new Error('ECONNRESET')]) {
      expect(explainPodRefusal(err, profile)).toBe(err);
    }
  });
});

describe('explainPodRefusal: Pod Security and quotas', () => {
  it('names the Pod Security level and every violation, not RBAC', () => {
    const err = explainPodRefusal(
      refused('pods "trialhub-s-1" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "notebook" must set securityContext.allowPrivilegeEscalation=false), runAsNonRoot != true (pod or container "notebook" must set securityContext.runAsNonRoot=true)'),
      profile,
    ) as KubernetesApiError;
    expect(err.message).toBe(
      'the cluster\'s Pod Security policy ("restricted:latest") on the sessions namespace refused the notebook pod of profile "x86-gpu": ' +
        'allowPrivilegeEscalation != false (container "notebook" must set securityContext.allowPrivilegeEscalation=false), runAsNonRoot != true (pod or container "notebook" must set securityContext.runAsNonRoot=true). ' +
        'An administrator must change the profile or the namespace\'s pod-security.kubernetes.io/enforce label; the notebook cannot start as it is.',
    );
    expect(err.reason).toBe('PodSecurityRefused');
    expect(err.message).not.toMatch(/RBAC|permission/);
  });

  it('says which quota is used up, what the session asks for and what is in use', () => {
    const err = explainPodRefusal(refused('pods "trialhub-s-1" is forbidden: exceeded quota: session-gpus, requested: requests.nvidia.com/gpu=1, used: requests.nvidia.com/gpu=2, limited: requests.nvidia.com/gpu=2'), profile) as KubernetesApiError;
    expect(err.message).toBe(
      'the sessions namespace\'s resource quota "session-gpus" is used up: this notebook asks for requests.nvidia.com/gpu=1, requests.nvidia.com/gpu=2 is already in use, and the quota allows requests.nvidia.com/gpu=2. ' +
        'Try again once other sessions have stopped, or ask an administrator to raise the quota.',
    );
    expect(err.reason).toBe('QuotaExceeded');
  });

  it('explains a quota that requires a resource the profile does not state', () => {
    const err = explainPodRefusal(refused('pods "trialhub-s-1" is forbidden: failed quota: compute: must specify limits.cpu'), profile) as KubernetesApiError;
    expect(err.message).toMatch(/^the sessions namespace's resource quota "compute" requires every pod to state limits\.cpu, which the profile "x86-gpu" does not\./);
  });
});
