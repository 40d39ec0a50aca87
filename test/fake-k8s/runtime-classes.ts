import { ApiError, failure } from './status';
import type { ObjectStore } from './store';

/**
 * The RuntimeClass admission plugin (plugin/pkg/admission/runtimeclass): a pod naming a
 * RuntimeClass that does not exist is refused with 403 Forbidden, `pods "x" is forbidden: pod
 * rejected: RuntimeClass "y" not found`; otherwise the class's `overhead` becomes the pod's
 * and its `scheduling` is merged in (node selector: a conflicting key is refused; tolerations
 * are added), so the scheduler places the pod only on nodes that have the handler.
 */
export function admitRuntimeClass(store: ObjectStore, pod: any): any {
  const className: string | undefined = pod.spec?.runtimeClassName;
  if (!className) return pod;
  const forbidden = (why: string) => new ApiError(failure(403, 'Forbidden', `pods "${pod.metadata.name ?? ''}" is forbidden: ${why}`, { name: pod.metadata.name ?? '', kind: 'pods' }));
  const runtimeClass = store.get('runtimeclasses', '', className);
  if (!runtimeClass) throw forbidden(`pod rejected: RuntimeClass "${className}" not found`);
  const spec = { ...pod.spec };
  if (runtimeClass.overhead?.podFixed) {
    if (spec.overhead && JSON.stringify(spec.overhead) !== JSON.stringify(runtimeClass.overhead.podFixed)) throw forbidden('pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead');
    spec.overhead = { ...runtimeClass.overhead.podFixed };
  }
  const scheduling = runtimeClass.scheduling ?? {};
  const selector: Record<string, string> = { ...(spec.nodeSelector ?? {}) };
  for (const [key, value] of Object.entries<string>(scheduling.nodeSelector ?? {})) {
    if (key in selector && selector[key] !== value) throw forbidden(`conflict: runtimeClass.scheduling.nodeSelector[${key}] = ${value}; pod.spec.nodeSelector[${key}] = ${selector[key]}`);
    selector[key] = value;
  }
  if (Object.keys(selector).length) spec.nodeSelector = selector;
  const tolerations = [...(spec.tolerations ?? [])];
  for (const t of scheduling.tolerations ?? []) if (!tolerations.some((have) => JSON.stringify(have) === JSON.stringify(t))) tolerations.push(t);
  if (tolerations.length) spec.tolerations = tolerations;
  return { ...pod, spec };
}
