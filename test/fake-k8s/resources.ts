import { RuntimeClass } from 'kubernetes-models/node.k8s.io/v1';
import { ConfigMap, Event, Namespace, Node, PersistentVolume, PersistentVolumeClaim, Pod, ResourceQuota, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';

/** One resource the fake serves (core/v1, or a named group's v1): how discovery describes it and how its objects are validated. */
export interface ResourceInfo {
  name: string; // plural, as in the URL
  /** The API group ('' for core, served under /api/v1; others under /apis/<group>/v1). */
  group: string;
  singularName: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  /** kubernetes-models class whose `validate()` checks the official schema */
  model: new (data: any) => { validate(): void };
  /** The real server answers DELETE of these with the deleted object; of the others with a Success Status. */
  returnsDeletedObject: boolean;
  /** Name rule: most resources use a DNS-1123 subdomain, services and namespaces a DNS label. */
  nameRule: 'subdomain' | 'label' | 'dns1035';
  subresources?: string[];
}

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

const table: Array<Omit<ResourceInfo, 'group'> & { group?: string }> = [
  { name: 'namespaces', singularName: 'namespace', kind: 'Namespace', namespaced: false, shortNames: ['ns'], model: Namespace, returnsDeletedObject: true, nameRule: 'label' },
  { name: 'nodes', singularName: 'node', kind: 'Node', namespaced: false, shortNames: ['no'], model: Node, returnsDeletedObject: false, nameRule: 'subdomain', subresources: ['status'] },
  { name: 'persistentvolumes', singularName: 'persistentvolume', kind: 'PersistentVolume', namespaced: false, shortNames: ['pv'], model: PersistentVolume, returnsDeletedObject: true, nameRule: 'subdomain', subresources: ['status'] },
  { name: 'pods', singularName: 'pod', kind: 'Pod', namespaced: true, shortNames: ['po'], model: Pod, returnsDeletedObject: true, nameRule: 'subdomain', subresources: ['status', 'log'] },
  { name: 'services', singularName: 'service', kind: 'Service', namespaced: true, shortNames: ['svc'], model: Service, returnsDeletedObject: true, nameRule: 'dns1035', subresources: ['status'] },
  { name: 'secrets', singularName: 'secret', kind: 'Secret', namespaced: true, model: Secret, returnsDeletedObject: false, nameRule: 'subdomain' },
  { name: 'configmaps', singularName: 'configmap', kind: 'ConfigMap', namespaced: true, shortNames: ['cm'], model: ConfigMap, returnsDeletedObject: false, nameRule: 'subdomain' },
  { name: 'serviceaccounts', singularName: 'serviceaccount', kind: 'ServiceAccount', namespaced: true, shortNames: ['sa'], model: ServiceAccount, returnsDeletedObject: true, nameRule: 'subdomain' },
  { name: 'persistentvolumeclaims', singularName: 'persistentvolumeclaim', kind: 'PersistentVolumeClaim', namespaced: true, shortNames: ['pvc'], model: PersistentVolumeClaim, returnsDeletedObject: true, nameRule: 'subdomain', subresources: ['status'] },
  // Admission counts pods against them (resource-quota.ts); the quota controller's status is not kept.
  { name: 'resourcequotas', singularName: 'resourcequota', kind: 'ResourceQuota', namespaced: true, shortNames: ['quota'], model: ResourceQuota, returnsDeletedObject: true, nameRule: 'subdomain', subresources: ['status'] },
  { name: 'events', singularName: 'event', kind: 'Event', namespaced: true, shortNames: ['ev'], model: Event, returnsDeletedObject: false, nameRule: 'subdomain' },
  // Sandboxed container runtimes (gVisor, Kata); pods name one in spec.runtimeClassName (see runtime-classes.ts).
  { name: 'runtimeclasses', singularName: 'runtimeclass', kind: 'RuntimeClass', namespaced: false, group: 'node.k8s.io', model: RuntimeClass, returnsDeletedObject: false, nameRule: 'subdomain' },
];

export const RESOURCES = new Map<string, ResourceInfo>(table.map((r) => [r.name, { ...r, group: r.group ?? '' }]));

/** `v1` for core resources, `<group>/v1` otherwise. */
export const apiVersionOf = (info: Pick<ResourceInfo, 'group'>): string => (info.group ? `${info.group}/v1` : 'v1');

/** The named groups the fake serves, for `/apis`. */
export const API_GROUPS = [...new Set([...RESOURCES.values()].map((r) => r.group).filter(Boolean))];

export function verbsOf(_resource: ResourceInfo): string[] {
  return ALL_VERBS;
}

/** The APIResourceList kubectl reads from `/api/v1` (or `/apis/<group>/v1`). */
export function apiResourceList(group = '') {
  const resources: any[] = [];
  for (const r of RESOURCES.values()) {
    if (r.group !== group) continue;
    resources.push({ name: r.name, singularName: r.singularName, namespaced: r.namespaced, kind: r.kind, verbs: verbsOf(r), ...(r.shortNames ? { shortNames: r.shortNames } : {}), storageVersionHash: Buffer.from(r.kind).toString('base64').slice(0, 11) });
    for (const sub of r.subresources ?? []) {
      const verbs = sub === 'log' ? ['get'] : ['get', 'patch', 'update'];
      resources.push({ name: `${r.name}/${sub}`, singularName: '', namespaced: r.namespaced, kind: sub === 'log' ? 'Pod' : r.kind, verbs });
    }
  }
  return { kind: 'APIResourceList', groupVersion: apiVersionOf({ group }), resources };
}
