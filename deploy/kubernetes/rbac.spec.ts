import { describe, expect, it } from 'vitest';
import { KUBERNETES_API_CALLS } from '../../apps/control-plane/src/runtime/kubernetes';
import { findAll, findOne, OVERLAYS, renderOverlay } from '../test/kustomize';
import { grantedTriples, wildcardsIn } from '../test/rbac';

/** What the driver sends (its own tests check it sends nothing else to the fake API server), as RBAC triples. */
const driverCalls = (scope: 'namespace' | 'cluster') =>
  KUBERNETES_API_CALLS.filter((c) => c.scope === scope)
    .flatMap((c) => c.verbs.map((v) => `${c.apiGroup}/${c.resource}:${v}`))
    .sort();

describe.each(OVERLAYS)('RBAC of overlay %s', (overlay) => {
  const objects = () => renderOverlay(overlay);
  const deployment = () => findOne(objects(), 'Deployment', 'trialhub-control-plane');
  const sessionsNamespace = () => deployment().spec.template.spec.containers[0].env.find((e: { name: string }) => e.name === 'KUBE_NAMESPACE').value;

  const subjectIsControlPlane = (binding: any) => {
    const account = deployment().spec.template.spec.serviceAccountName;
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: account, namespace: deployment().metadata.namespace }]);
  };

  it('grants in the sessions namespace exactly the (resource, verb) pairs the kubernetes driver uses, nothing more, nothing missing', () => {
    const roles = findAll(objects(), 'Role');
    expect(roles.map((r) => `${r.metadata.namespace}/${r.metadata.name}`)).toEqual([`${sessionsNamespace()}/trialhub-session-driver`]);
    expect(wildcardsIn(roles[0].rules)).toEqual([]);
    expect(grantedTriples(roles[0].rules)).toEqual(driverCalls('namespace'));
  });

  it('grants cluster-wide exactly the driver\'s cluster-scoped calls (listing nodes)', () => {
    const clusterRoles = findAll(objects(), 'ClusterRole');
    expect(clusterRoles).toHaveLength(1);
    expect(wildcardsIn(clusterRoles[0].rules)).toEqual([]);
    expect(grantedTriples(clusterRoles[0].rules)).toEqual(driverCalls('cluster'));
  });

  it('binds both roles to the control plane\'s service account and to nothing else', () => {
    const [binding] = findAll(objects(), 'RoleBinding');
    expect(findAll(objects(), 'RoleBinding')).toHaveLength(1);
    expect(binding.metadata.namespace).toBe(sessionsNamespace());
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'trialhub-session-driver' });
    subjectIsControlPlane(binding);
    const [clusterBinding] = findAll(objects(), 'ClusterRoleBinding');
    expect(findAll(objects(), 'ClusterRoleBinding')).toHaveLength(1);
    expect(clusterBinding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: findOne(objects(), 'ClusterRole').metadata.name });
    subjectIsControlPlane(clusterBinding);
    expect(findOne(objects(), 'ServiceAccount', deployment().spec.template.spec.serviceAccountName).metadata.namespace).toBe(deployment().metadata.namespace);
  });
});
