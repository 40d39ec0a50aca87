import { ApiError, failure } from './status';
import type { ObjectStore } from './store';

/**
 * The PodSecurity admission plugin (k8s.io/pod-security-admission), enforce mode only: a
 * namespace labelled `pod-security.kubernetes.io/enforce: baseline|restricted` refuses pods
 * that violate the level, with the real 403 text —
 * `pods "x" is forbidden: violates PodSecurity "restricted:latest": <reason> (<detail>), …`.
 * The checks, their reasons and details follow the plugin's policy/check_*.go (the usual
 * ones; AppArmor, SELinux, sysctls and procMount are not checked). `warn` and `audit` labels
 * are ignored; `enforce-version` only changes the name in the message.
 */
const LABEL = 'pod-security.kubernetes.io/enforce';
const VERSION_LABEL = 'pod-security.kubernetes.io/enforce-version';
const RESTRICTED_VOLUMES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);
const BASELINE_CAPABILITIES = new Set(['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT']);

type Level = 'privileged' | 'baseline' | 'restricted';
interface Violation { reason: string; detail: string }

export function admitPodSecurity(store: ObjectStore, pod: any): void {
  const labels = store.get('namespaces', '', pod.metadata.namespace ?? '')?.metadata?.labels ?? {};
  const level = labels[LABEL] as Level | undefined;
  if (level !== 'baseline' && level !== 'restricted') return;
  const violations = [...baselineViolations(pod), ...(level === 'restricted' ? restrictedViolations(pod) : [])];
  if (!violations.length) return;
  const policy = `${level}:${labels[VERSION_LABEL] ?? 'latest'}`;
  const name = pod.metadata.name ?? '';
  const message = `pods "${name}" is forbidden: violates PodSecurity "${policy}": ${violations.map((v) => `${v.reason} (${v.detail})`).join(', ')}`;
  throw new ApiError(failure(403, 'Forbidden', message, { name, kind: 'pods' }));
}

const allContainers = (pod: any): any[] => [...(pod.spec.initContainers ?? []), ...(pod.spec.containers ?? []), ...(pod.spec.ephemeralContainers ?? [])];
const quoted = (names: string[]) => names.map((n) => `"${n}"`).join(', ');
/** `container "a"` or `containers "a", "b"`, as the plugin words it. */
const containers = (names: string[]) => `${names.length === 1 ? 'container' : 'containers'} ${quoted(names)}`;

function baselineViolations(pod: any): Violation[] {
  const out: Violation[] = [];
  const spec = pod.spec;
  const hostNs = (['hostNetwork', 'hostPID', 'hostIPC'] as const).filter((k) => spec[k] === true).map((k) => `${k}=true`);
  if (hostNs.length) out.push({ reason: 'host namespaces', detail: hostNs.join(', ') });
  const privileged = allContainers(pod).filter((c) => c.securityContext?.privileged === true).map((c) => c.name);
  if (privileged.length) out.push({ reason: 'privileged', detail: `${containers(privileged)} must not set securityContext.privileged=true` });
  const added = allContainers(pod).flatMap((c) => (c.securityContext?.capabilities?.add ?? []).filter((cap: string) => !BASELINE_CAPABILITIES.has(cap)).map((cap: string) => ({ name: c.name, cap })));
  if (added.length) out.push({ reason: 'non-default capabilities', detail: `${containers([...new Set(added.map((a) => a.name))])} must not include ${quoted([...new Set(added.map((a) => a.cap))])} in securityContext.capabilities.add` });
  const hostPath = (spec.volumes ?? []).filter((v: any) => v.hostPath).map((v: any) => v.name);
  if (hostPath.length) out.push({ reason: 'hostPath volumes', detail: `${hostPath.length === 1 ? 'volume' : 'volumes'} ${quoted(hostPath)}` });
  const hostPorts = allContainers(pod).flatMap((c) => (c.ports ?? []).filter((p: any) => p.hostPort).map((p: any) => `${containers([c.name])} uses hostPort ${p.hostPort}`));
  if (hostPorts.length) out.push({ reason: 'hostPort', detail: hostPorts.join('; ') });
  return out;
}

function restrictedViolations(pod: any): Violation[] {
  const out: Violation[] = [];
  const spec = pod.spec;
  const podContext = spec.securityContext ?? {};
  const restrictedVolumes = (spec.volumes ?? []).flatMap((v: any) => {
    const type = Object.keys(v).find((k) => k !== 'name');
    return type && !RESTRICTED_VOLUMES.has(type) ? [`volume "${v.name}" uses restricted volume type "${type}"`] : [];
  });
  if (restrictedVolumes.length) out.push({ reason: 'restricted volume types', detail: restrictedVolumes.join('; ') });
  const escalating = allContainers(pod).filter((c) => c.securityContext?.allowPrivilegeEscalation !== false).map((c) => c.name);
  if (escalating.length) out.push({ reason: 'allowPrivilegeEscalation != false', detail: `${containers(escalating)} must set securityContext.allowPrivilegeEscalation=false` });
  const notDropping = allContainers(pod).filter((c) => !(c.securityContext?.capabilities?.drop ?? []).includes('ALL')).map((c) => c.name);
  const addingMore = allContainers(pod).flatMap((c) => (c.securityContext?.capabilities?.add ?? []).filter((cap: string) => cap !== 'NET_BIND_SERVICE').map((cap: string) => ({ name: c.name, cap })));
  const capabilityDetails = [
    ...(notDropping.length ? [`${containers(notDropping)} must set securityContext.capabilities.drop=["ALL"]`] : []),
    ...(addingMore.length ? [`${containers([...new Set(addingMore.map((a) => a.name))])} must not include ${quoted([...new Set(addingMore.map((a) => a.cap))])} in securityContext.capabilities.add`] : []),
  ];
  if (capabilityDetails.length) out.push({ reason: 'unrestricted capabilities', detail: capabilityDetails.join('; ') });
  const podNonRoot = podContext.runAsNonRoot;
  const notNonRoot = allContainers(pod).filter((c) => (c.securityContext?.runAsNonRoot ?? podNonRoot) !== true).map((c) => c.name);
  if (podNonRoot === false) out.push({ reason: 'runAsNonRoot != true', detail: 'pod must not set securityContext.runAsNonRoot=false' });
  else if (notNonRoot.length) out.push({ reason: 'runAsNonRoot != true', detail: `pod or ${containers(notNonRoot)} must set securityContext.runAsNonRoot=true` });
  const rootUsers = [...(podContext.runAsUser === 0 ? ['pod must not set runAsUser=0'] : []), ...(() => {
    const names = allContainers(pod).filter((c) => c.securityContext?.runAsUser === 0).map((c) => c.name);
    return names.length ? [`${containers(names)} must not set runAsUser=0`] : [];
  })()];
  if (rootUsers.length) out.push({ reason: 'runAsUser=0', detail: rootUsers.join('; ') });
  const allowedSeccomp = (t: unknown) => t === 'RuntimeDefault' || t === 'Localhost';
  const podSeccomp = podContext.seccompProfile?.type;
  const noSeccomp = allContainers(pod).filter((c) => !allowedSeccomp(c.securityContext?.seccompProfile?.type ?? podSeccomp)).map((c) => c.name);
  if (podSeccomp !== undefined && !allowedSeccomp(podSeccomp)) out.push({ reason: 'seccompProfile', detail: `pod must not set securityContext.seccompProfile.type to "${podSeccomp}"` });
  else if (noSeccomp.length) out.push({ reason: 'seccompProfile', detail: `pod or ${containers(noSeccomp)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"` });
  return out;
}
