import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { arch, cpus, hostname, totalmem } from 'node:os';
import { join } from 'node:path';
import type { RuntimeMachine } from '../session-runtime';

export const LOCAL_MACHINE_NAME = 'This computer (local mode)';
const NVIDIA_PROC = '/proc/driver/nvidia/gpus';

/** Node's arch names as Kubernetes labels them, so profiles' node selectors read the same. */
const KUBE_ARCH: Record<string, string> = { x64: 'amd64', ppc64: 'ppc64le', arm64: 'arm64' };

/**
 * The local runtime's one machine: this computer, with its real CPU count and memory, and a
 * GPU only where the NVIDIA driver reports one (sessions run as processes here, nowhere else).
 */
export function thisComputer(gpus: LocalGpu[] = detectGpus()): RuntimeMachine {
  return {
    name: hostname(),
    displayName: LOCAL_MACHINE_NAME,
    labels: { 'kubernetes.io/arch': KUBE_ARCH[arch()] ?? arch(), ...(gpus.length ? { 'nvidia.com/gpu.present': 'true' } : {}) },
    taints: [],
    cpus: cpus().length,
    memoryBytes: totalmem(),
    gpus: gpus.length,
    gpusUsed: 0,
    gpuModel: gpus[0]?.model ?? null,
    ready: true,
  };
}

export interface LocalGpu { model: string | null }

/** NVIDIA GPUs the driver exposes (/proc/driver/nvidia/gpus/<bus>/information), without starting a process. */
export function detectGpus(dir = NVIDIA_PROC): LocalGpu[] {
  if (!existsSync(dir)) return [];
  try {
    return readdirSync(dir).map((bus) => {
      const info = join(dir, bus, 'information');
      const model = existsSync(info) ? /^Model:\s*(.+)$/m.exec(readFileSync(info, 'utf8'))?.[1]?.trim() ?? null : null;
      return { model };
    });
  } catch {
    return [];
  }
}

/** `nvidia-smi -L` as a second opinion where /proc says nothing (containers with the GPU passed in). */
export function gpusFromNvidiaSmi(): LocalGpu[] {
  const r = spawnSync('nvidia-smi', ['-L'], { encoding: 'utf8', timeout: 3000 });
  if (r.status !== 0 || !r.stdout) return [];
  return r.stdout.split('\n').filter((l) => /^GPU \d+:/.test(l)).map((l) => ({ model: /^GPU \d+:\s*([^(]+)/.exec(l)?.[1]?.trim() ?? null }));
}
