import type { V1Node } from '@kubernetes/client-node';
import type { RuntimeMachine } from '../session-runtime';
import { isNodeReady } from './node-health';

const GPU = 'nvidia.com/gpu';
/** Labels the NVIDIA GPU operator's feature discovery puts on GPU nodes. */
const GPU_MODEL_LABEL = 'nvidia.com/gpu.product';

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50 };
const DECIMAL: Record<string, number> = { m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15 };

/** A Kubernetes quantity ("7820Mi", "500m", "32") as a number; 0 where it does not parse. */
export function quantity(raw: string | undefined): number {
  const m = /^([0-9.]+)([A-Za-z]*)$/.exec(raw ?? '');
  if (!m) return 0;
  const scale = m[2] === '' ? 1 : BINARY[m[2]] ?? DECIMAL[m[2]];
  const n = Number(m[1]) * (scale ?? NaN);
  return Number.isFinite(n) ? n : 0;
}

/** The machines a cluster offers: each node's allocatable CPU, memory and GPUs, its taints, and the GPUs session pods use on it. */
export function machinesFromNodes(nodes: V1Node[], gpusUsedByNode: Map<string, number>): RuntimeMachine[] {
  return nodes.map((n) => {
    const name = n.metadata?.name ?? '';
    const labels = { ...(n.metadata?.labels ?? {}) };
    const allocatable = n.status?.allocatable ?? {};
    return {
      name,
      displayName: null,
      labels,
      taints: (n.spec?.taints ?? []).filter((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute').map((t) => ({ key: t.key, ...(t.value !== undefined ? { value: t.value } : {}), effect: t.effect })),
      cpus: Math.floor(quantity(allocatable.cpu)),
      memoryBytes: Math.floor(quantity(allocatable.memory)),
      gpus: Math.floor(quantity(allocatable[GPU])),
      gpusUsed: gpusUsedByNode.get(name) ?? 0,
      gpuModel: labels[GPU_MODEL_LABEL] ?? null,
      ready: isNodeReady(n) && !n.spec?.unschedulable,
    };
  });
}
