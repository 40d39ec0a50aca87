import { parseQuantity } from './quantity';
import { ApiError, failure } from './status';
import type { ObjectStore } from './store';

/**
 * The ResourceQuota admission plugin for pods: every quota in the namespace whose `spec.hard`
 * names `pods`, `count/pods`, `requests.cpu|memory|<extended resource>`, `limits.cpu|memory`
 * or `cpu`/`memory` (= requests) is checked against the pods that are not finished, and a pod
 * that would exceed one is refused with the real 403 text:
 * `pods "x" is forbidden: exceeded quota: <quota>, requested: <r>=<q>, used: <r>=<q>, limited: <r>=<q>`.
 * A quota on requests or limits that a pod does not state is refused as the real one does
 * (`failed quota: <quota>: must specify <resource>`). Scopes and `status.used` are not modelled.
 */
export function admitResourceQuota(store: ObjectStore, pod: any): void {
  const namespace = pod.metadata.namespace ?? '';
  const quotas = store.list('resourcequotas', namespace).sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
  if (!quotas.length) return;
  const active = store.list('pods', namespace).filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed' && p.metadata.name !== pod.metadata.name);
  const name = pod.metadata.name ?? '';
  const forbidden = (why: string) => new ApiError(failure(403, 'Forbidden', `pods "${name}" is forbidden: ${why}`, { name, kind: 'pods' }));
  for (const quota of quotas) {
    const hard: Record<string, string> = quota.spec?.hard ?? {};
    const keys = Object.keys(hard).filter((k) => usageOf(pod, k) !== undefined).sort();
    const missing = keys.filter((k) => /^(requests|limits)\.|^(cpu|memory)$/.test(k) && !states(pod, k));
    if (missing.length) throw forbidden(`failed quota: ${quota.metadata.name}: must specify ${missing.join(',')}`);
    const exceeded = keys.filter((k) => usageOf(pod, k)! > 0 && sum(active, k) + usageOf(pod, k)! > parseQuantity(hard[k]));
    if (!exceeded.length) continue;
    const list = (value: (k: string) => string) => exceeded.map((k) => `${k}=${value(k)}`).join(',');
    throw forbidden(`exceeded quota: ${quota.metadata.name}, requested: ${list((k) => format(k, usageOf(pod, k)!))}, used: ${list((k) => format(k, sum(active, k)))}, limited: ${list((k) => hard[k])}`);
  }
}

const sum = (pods: any[], key: string) => pods.reduce((n, p) => n + (usageOf(p, key) ?? 0), 0);

/** What the pod counts against a quota key (undefined: the key is not one for pods). */
function usageOf(pod: any, key: string): number | undefined {
  if (key === 'pods' || key === 'count/pods') return 1;
  const m = /^(?:(requests|limits)\.)?(.+)$/.exec(key)!;
  const kind = m[1] === 'limits' ? 'limits' : 'requests';
  if (!m[1] && m[2] !== 'cpu' && m[2] !== 'memory') return undefined;
  if (m[2].startsWith('count/') || m[2] === 'storage' || m[2].includes('persistentvolumeclaims')) return undefined;
  return (pod.spec.containers ?? []).reduce((n: number, c: any) => n + parseQuantity(c.resources?.[kind]?.[m[2]] ?? (kind === 'requests' ? c.resources?.limits?.[m[2]] : undefined) ?? 0), 0);
}

/** Every container names the resource (requests default from limits). */
function states(pod: any, key: string): boolean {
  const m = /^(?:(requests|limits)\.)?(.+)$/.exec(key)!;
  const kind = m[1] === 'limits' ? 'limits' : 'requests';
  // Extended resources are counted only where asked for: a pod without GPUs simply uses none.
  if (m[2] !== 'cpu' && m[2] !== 'memory') return true;
  return (pod.spec.containers ?? []).every((c: any) => c.resources?.[kind]?.[m[2]] !== undefined || (kind === 'requests' && c.resources?.limits?.[m[2]] !== undefined));
}

/** A sum in the quantity style the API server prints: cores as `2` or `500m`, bytes in the largest exact binary unit. */
function format(key: string, value: number): string {
  if (/cpu$/.test(key)) return Number.isInteger(value) ? String(value) : `${Math.round(value * 1000)}m`;
  if (/memory$/.test(key)) {
    for (const [unit, size] of [['Ti', 2 ** 40], ['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10]] as const) if (value >= size && value % size === 0) return `${value / size}${unit}`;
  }
  return String(value);
}
