import type { V1Container, V1Pod, V1SeccompProfile } from '@kubernetes/client-node';

/**
 * Pure checker for the Pod Security Standards' `restricted` profile (which includes
 * `baseline`), as the admission controller of a namespace labelled
 * `pod-security.kubernetes.io/enforce: restricted` applies it. Returns one readable line per
 * violation; an empty list means the pod would be admitted.
 * https://kubernetes.io/docs/concepts/security/pod-security-standards/
 */
const ALLOWED_VOLUME_TYPES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);
const ALLOWED_SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes',
]);
const ADDABLE_CAPABILITIES = new Set(['NET_BIND_SERVICE']);

type AnyContainer = Pick<V1Container, 'name' | 'securityContext' | 'ports'>;

export function checkRestrictedPodSecurity(pod: V1Pod): string[] {
  const spec = pod.spec;
  if (!spec) return ['the pod has no spec'];
  const problems: string[] = [];
  const podSc = spec.securityContext ?? {};
  const containers: Array<{ kind: string; c: AnyContainer }> = [
    ...(spec.initContainers ?? []).map((c) => ({ kind: 'init container', c })),
    ...(spec.containers ?? []).map((c) => ({ kind: 'container', c })),
    ...(spec.ephemeralContainers ?? []).map((c) => ({ kind: 'ephemeral container', c })),
  ];

  // baseline
  if (spec.hostNetwork) problems.push('hostNetwork must not be true');
  if (spec.hostPID) problems.push('hostPID must not be true');
  if (spec.hostIPC) problems.push('hostIPC must not be true');
  if (podSc.windowsOptions?.hostProcess) problems.push('windowsOptions.hostProcess must not be true');
  for (const s of podSc.sysctls ?? []) if (!SAFE_SYSCTLS.has(s.name)) problems.push(`sysctl ${s.name} is not in the safe set`);
  checkSeLinux('the pod', podSc.seLinuxOptions, problems);
  if (podSc.appArmorProfile?.type === 'Unconfined') problems.push('the pod must not set appArmorProfile Unconfined');
  for (const [key, value] of Object.entries(pod.metadata?.annotations ?? {})) {
    if (key.startsWith('container.apparmor.security.beta.kubernetes.io/') && value !== 'runtime/default' && !value.startsWith('localhost/')) {
      problems.push(`annotation ${key} must be runtime/default or localhost/*`);
    }
  }
  for (const v of spec.volumes ?? []) {
    const types = Object.keys(v).filter((k) => k !== 'name' && (v as unknown as Record<string, unknown>)[k] != null);
    for (const t of types) if (!ALLOWED_VOLUME_TYPES.has(t)) problems.push(`volume ${v.name} uses type ${t}, which is not allowed (${[...ALLOWED_VOLUME_TYPES].join(', ')})`);
  }

  // restricted, pod level
  const podSeccompOk = isAllowedSeccomp(podSc.seccompProfile);
  if (podSc.seccompProfile && !podSeccompOk) problems.push(`the pod's seccompProfile must be RuntimeDefault or Localhost, not ${podSc.seccompProfile.type}`);
  if (podSc.runAsUser === 0) problems.push('the pod must not run as user 0 (root)');
  if (podSc.runAsNonRoot === false) problems.push('the pod must not set runAsNonRoot false');

  for (const { kind, c } of containers) {
    const sc = c.securityContext ?? {};
    const who = `${kind} ${c.name}`;
    if (sc.privileged) problems.push(`${who} must not be privileged`);
    if (sc.procMount && sc.procMount !== 'Default') problems.push(`${who} must use the Default procMount`);
    if (sc.windowsOptions?.hostProcess) problems.push(`${who} must not set windowsOptions.hostProcess`);
    checkSeLinux(who, sc.seLinuxOptions, problems);
    if (sc.appArmorProfile?.type === 'Unconfined') problems.push(`${who} must not set appArmorProfile Unconfined`);
    for (const p of c.ports ?? []) if (p.hostPort) problems.push(`${who} must not use hostPort ${p.hostPort}`);

    if (sc.allowPrivilegeEscalation !== false) problems.push(`${who} must set allowPrivilegeEscalation to false`);
    const runAsNonRoot = sc.runAsNonRoot ?? podSc.runAsNonRoot;
    if (runAsNonRoot !== true) problems.push(`${who} must run as non-root (runAsNonRoot: true on the pod or the container)`);
    if (sc.runAsUser === 0) problems.push(`${who} must not run as user 0 (root)`);
    const seccomp = sc.seccompProfile ?? podSc.seccompProfile;
    if (!isAllowedSeccomp(seccomp)) problems.push(`${who} must have seccompProfile RuntimeDefault or Localhost (on the pod or the container)`);
    const drop = sc.capabilities?.drop ?? [];
    if (!drop.includes('ALL')) problems.push(`${who} must drop ALL capabilities`);
    for (const cap of sc.capabilities?.add ?? []) if (!ADDABLE_CAPABILITIES.has(cap)) problems.push(`${who} may only add NET_BIND_SERVICE, not ${cap}`);
  }
  return problems;
}

function isAllowedSeccomp(profile: V1SeccompProfile | undefined): boolean {
  return profile?.type === 'RuntimeDefault' || profile?.type === 'Localhost';
}

function checkSeLinux(who: string, opts: { type?: string; user?: string; role?: string } | undefined, problems: string[]): void {
  if (!opts) return;
  if (opts.type !== undefined && !ALLOWED_SELINUX_TYPES.has(opts.type)) problems.push(`${who} uses SELinux type ${opts.type}, which is not allowed`);
  if (opts.user) problems.push(`${who} must not set an SELinux user`);
  if (opts.role) problems.push(`${who} must not set an SELinux role`);
}
