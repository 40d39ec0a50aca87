/**
 * Every (resource, verb) the kubernetes driver sends to the API server, in RBAC terms, so the
 * deployment's Role/ClusterRole can be checked against it. Namespaced ones are needed in the
 * sessions namespace (a Role there); cluster-scoped ones need a ClusterRole. A test runs the
 * driver through its lifecycle against the fake server and checks it uses nothing else.
 */
export interface KubernetesApiCall {
  /** API group: "" is the core group. */
  apiGroup: string;
  resource: 'pods' | 'secrets' | 'services' | 'persistentvolumeclaims' | 'nodes';
  verbs: Array<'get' | 'list' | 'watch' | 'create' | 'patch' | 'delete'>;
  scope: 'namespace' | 'cluster';
}

export const KUBERNETES_API_CALLS: readonly KubernetesApiCall[] = Object.freeze([
  { apiGroup: '', resource: 'pods', verbs: ['get', 'list', 'watch', 'create', 'delete'], scope: 'namespace' },
  { apiGroup: '', resource: 'secrets', verbs: ['get', 'list', 'create', 'patch', 'delete'], scope: 'namespace' },
  { apiGroup: '', resource: 'services', verbs: ['get', 'list', 'create', 'patch', 'delete'], scope: 'namespace' },
  { apiGroup: '', resource: 'persistentvolumeclaims', verbs: ['get', 'list', 'create', 'delete'], scope: 'namespace' },
  { apiGroup: '', resource: 'nodes', verbs: ['list'], scope: 'cluster' },
]);

/** Whether the driver is allowed (by the list above) to send this verb on this resource. */
export function isListedApiCall(resource: string, verb: string): boolean {
  return KUBERNETES_API_CALLS.some((c) => c.resource === resource && (c.verbs as string[]).includes(verb));
}
