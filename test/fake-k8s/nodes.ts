import { randomUUID } from 'node:crypto';
import type { FakeKubernetesOptions, FakeNodeSpec } from './types';
import { timestamp } from './time';

export const GPU_RESOURCE = 'nvidia.com/gpu';
const GPU_TAINT = { key: GPU_RESOURCE, value: 'present', effect: 'NoSchedule' as const };

/**
 * The default cluster: `nodes` GPU nodes, half of them (at least one) `ppc64le` and the rest
 * `amd64`, each labelled `nvidia.com/gpu.present=true` and tainted `nvidia.com/gpu=present:NoSchedule`
 * (as the NVIDIA GPU operator does), plus `cpuOnlyNodes` amd64 nodes without GPUs.
 */
export function defaultNodeSpecs(options: FakeKubernetesOptions): FakeNodeSpec[] {
  if (Array.isArray(options.nodes)) return options.nodes;
  const count = options.nodes ?? 2;
  const gpus = options.gpusPerNode ?? 4;
  const power = count > 0 ? Math.max(1, Math.floor(count / 2)) : 0;
  const specs: FakeNodeSpec[] = [];
  for (let i = 0; i < count; i++) {
    const arch = i < power ? 'ppc64le' : 'amd64';
    const index = i < power ? i + 1 : i - power + 1;
    specs.push({ name: `gpu-${arch}-${index}`, labels: { 'kubernetes.io/arch': arch, 'nvidia.com/gpu.present': 'true' }, gpus, taints: [GPU_TAINT] });
  }
  for (let i = 0; i < (options.cpuOnlyNodes ?? 0); i++) specs.push({ name: `cpu-amd64-${i + 1}`, labels: { 'kubernetes.io/arch': 'amd64' }, gpus: 0 });
  return specs;
}

export function nodeObject(spec: FakeNodeSpec): any {
  const arch = spec.labels?.['kubernetes.io/arch'] ?? 'amd64';
  const capacity: Record<string, string> = { cpu: spec.cpu ?? '32', memory: spec.memory ?? '128Gi', pods: '110', 'ephemeral-storage': '500Gi', 'hugepages-2Mi': '0' };
  if (spec.gpus) capacity[GPU_RESOURCE] = String(spec.gpus);
  const now = timestamp();
  const condition = (type: string, status: string, reason: string, message: string) => ({ type, status, reason, message, lastHeartbeatTime: now, lastTransitionTime: now });
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: spec.name,
      uid: randomUUID(),
      creationTimestamp: now,
      labels: { 'beta.kubernetes.io/arch': arch, 'beta.kubernetes.io/os': 'linux', 'kubernetes.io/arch': arch, 'kubernetes.io/hostname': spec.name, 'kubernetes.io/os': 'linux', ...(spec.labels ?? {}) },
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
    },
    spec: { podCIDR: '10.244.0.0/24', podCIDRs: ['10.244.0.0/24'], ...(spec.taints?.length ? { taints: spec.taints.map((t) => ({ ...t })) } : {}) },
    status: {
      capacity,
      allocatable: { ...capacity },
      conditions: [
        condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        condition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
      ],
      addresses: [
        { type: 'InternalIP', address: '127.0.0.1' },
        { type: 'Hostname', address: spec.name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: randomUUID().replace(/-/g, ''),
        systemUUID: randomUUID(),
        bootID: randomUUID(),
        kernelVersion: '6.1.0-fake',
        osImage: 'Debian GNU/Linux 12 (bookworm)',
        containerRuntimeVersion: 'containerd://1.7.24',
        kubeletVersion: 'v1.31.0',
        kubeProxyVersion: 'v1.31.0',
        operatingSystem: 'linux',
        architecture: arch,
      },
    },
  };
}
