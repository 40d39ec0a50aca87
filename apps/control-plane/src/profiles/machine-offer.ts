import type { ProfileView } from '@trialhub/contracts';
import type { ProfileEntity } from '../database/entities';
import type { RuntimeMachine } from '../runtime/session-runtime';

type Toleration = ProfileEntity['tolerations'][number];
type Taint = RuntimeMachine['taints'][number];

const GB = 1e9;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const memory = (bytes: number) => `${(bytes / GB).toFixed(bytes >= 10 * GB ? 0 : 1)} GB memory`;
const gpuWords = (m: RuntimeMachine) => (m.gpus === 0 ? 'no GPU' : `${plural(m.gpus, m.gpuModel ? `${m.gpuModel} GPU` : 'NVIDIA GPU')}`);

function tolerates(tolerations: Toleration[], taint: Taint): boolean {
  return tolerations.some(
    (t) =>
      (t.key === undefined ? t.operator === 'Exists' : t.key === taint.key && (t.operator === 'Exists' || (t.value ?? '') === (taint.value ?? ''))) &&
      (!t.effect || t.effect === taint.effect),
  );
}

/** Whether a session of this profile can be placed on the machine (the scheduler's test: labels, taints, GPUs). */
export function fits(profile: ProfileEntity, m: RuntimeMachine): boolean {
  return (
    m.ready &&
    Object.entries(profile.nodeSelector).every(([k, v]) => m.labels[k] === v) &&
    m.taints.every((t) => tolerates(profile.tolerations, t)) &&
    m.gpus >= profile.gpus
  );
}

/** "myhost: 2 CPUs, 7.8 GB memory, no GPU" (this computer, named by the profile) / "gpu-a (32 CPUs, 128 GB memory, 4 Tesla P100 GPUs, 3 free)". */
export function describeMachine(m: RuntimeMachine): string {
  const parts = [plural(m.cpus, 'CPU'), memory(m.memoryBytes), gpuWords(m) + (m.gpus > 0 && !m.displayName ? `, ${Math.max(0, m.gpus - m.gpusUsed)} free` : '')];
  return m.displayName ? `${m.name}: ${parts.join(', ')}` : `${m.name} (${parts.join(', ')})`;
}

interface OfferInput {
  runtime: 'local' | 'kubernetes';
  profiles: ProfileEntity[];
  used: Map<string, number>;
  /** undefined: the runtime could not report (profiles are then offered as configured). */
  machines: RuntimeMachine[] | undefined;
}

/**
 * What the portal offers, from what the runtime reports. Local mode: one choice, this computer
 * (a profile whose GPUs it has; every local session runs here, so every profile is named so).
 * Kubernetes: each profile with the nodes that can take it, free slots bounded by free GPUs.
 */
export function offerProfiles({ runtime, profiles, used, machines }: OfferInput): ProfileView[] {
  const enabled = profiles.filter((p) => p.enabled);
  const base = (p: ProfileEntity): ProfileView => ({ ...toProfileView(p, used.get(p.name) ?? 0), runtime, offered: true, unavailableReason: null, machine: null });
  if (!machines) return enabled.map(base);
  if (runtime === 'local') {
    const here = machines[0];
    const runnable = enabled.filter((p) => fits({ ...p, nodeSelector: {} }, here));
    const chosen = runnable.find((p) => p.isDefault) ?? runnable[0];
    return enabled.map((p) => ({
      ...base(p),
      displayName: here.displayName ?? here.name,
      description: `Sessions run as processes on this computer, not on a cluster${here.gpus ? '' : ', and train on its CPU'}.`,
      gpus: Math.min(p.gpus, here.gpus),
      arch: here.labels['kubernetes.io/arch'] ?? null,
      isDefault: p === chosen,
      offered: p === chosen,
      unavailableReason: p === chosen ? null : p.gpus > here.gpus ? 'This computer has no GPU.' : 'In local mode every session runs on this computer.',
      machine: describeMachine(here),
    }));
  }
  return enabled.map((p) => {
    const nodes = machines.filter((m) => fits(p, m));
    const view = base(p);
    if (nodes.length === 0) {
      return { ...view, offered: false, slotsFree: 0, unavailableReason: p.gpus > 0 ? 'No GPU node of this kind is in the cluster right now.' : 'No node in the cluster can take this kind of session right now.' };
    }
    const gpuPlaces = p.gpus > 0 ? nodes.reduce((n, m) => n + Math.floor(Math.max(0, m.gpus - m.gpusUsed) / p.gpus), 0) : Infinity;
    return { ...view, slotsFree: Math.min(view.slotsFree, gpuPlaces), machine: nodes.map(describeMachine).join('; ') };
  });
}

export function toProfileView(p: ProfileEntity, used: number): ProfileView {
  return {
    name: p.name,
    displayName: p.displayName,
    description: p.description,
    gpus: p.gpus,
    arch: p.nodeSelector['kubernetes.io/arch'] ?? null,
    slots: p.slots,
    slotsFree: Math.max(0, p.slots - used),
    isDefault: p.isDefault,
    enabled: p.enabled,
  };
}
