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
