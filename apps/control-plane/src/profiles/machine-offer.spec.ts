import { describe, expect, it } from 'vitest';
import type { ProfileEntity } from '../database/entities';
import type { RuntimeMachine } from '../runtime/session-runtime';
import { DEFAULT_PROFILES } from './default-profiles';
import { describeMachine, fits, offerProfiles } from './machine-offer';

const profiles = DEFAULT_PROFILES.map((p) => ({ ...p, createdAt: new Date(), updatedAt: new Date() })) as ProfileEntity[];
const machine = (over: Partial<RuntimeMachine>): RuntimeMachine => ({ name: 'n', displayName: null, labels: {}, taints: [], cpus: 8, memoryBytes: 32e9, gpus: 0, gpusUsed: 0, gpuModel: null, ready: true, ...over });
const GPU_TAINT = { key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' };

describe('what the portal offers, from what the runtime reports', () => {
  it('local mode: one choice, this computer, and no GPU profile on a computer without a GPU', () => {
    const here = machine({ name: 'box', displayName: 'This computer (local mode)', labels: { 'kubernetes.io/arch': 'amd64' }, cpus: 2, memoryBytes: 8e9 });
    const views = offerProfiles({ runtime: 'local', profiles, used: new Map(), machines: [here] });
    expect(views.filter((v) => v.offered).map((v) => v.name)).toEqual(['cpu']);
    expect(views.every((v) => v.displayName === 'This computer (local mode)')).toBe(true);
    expect(views.find((v) => v.name === 'cpu')).toMatchObject({ isDefault: true, machine: 'box: 2 CPUs, 8.0 GB memory, no GPU' });
    expect(views.find((v) => v.name === 'power8-gpu')).toMatchObject({ offered: false, isDefault: false, unavailableReason: 'This computer has no GPU.' });
  });

  it('local mode with a GPU offers the default GPU profile', () => {
    const here = machine({ displayName: 'This computer (local mode)', gpus: 1, gpuModel: 'RTX 4090', labels: { 'kubernetes.io/arch': 'amd64', 'nvidia.com/gpu.present': 'true' } });
    expect(offerProfiles({ runtime: 'local', profiles, used: new Map(), machines: [here] }).filter((v) => v.offered).map((v) => v.name)).toEqual(['power8-gpu']);
  });

  it('Kubernetes: a profile is offered where a ready node matches its selector, tolerates its taints and has its GPUs; free slots are bounded by free GPUs', () => {
    const power = machine({ name: 'p8', labels: { 'kubernetes.io/arch': 'ppc64le', 'nvidia.com/gpu.present': 'true' }, taints: [GPU_TAINT], gpus: 4, gpusUsed: 3 });
    const views = offerProfiles({ runtime: 'kubernetes', profiles, used: new Map([['power8-gpu', 1]]), machines: [power] });
    expect(views.find((v) => v.name === 'power8-gpu')).toMatchObject({ offered: true, slotsFree: 1, machine: 'p8 (8 CPUs, 32 GB memory, 4 NVIDIA GPUs, 1 free)' });
    expect(views.find((v) => v.name === 'x86-gpu')).toMatchObject({ offered: false, slotsFree: 0 });
    // The CPU profile does not tolerate the GPU taint.
    expect(views.find((v) => v.name === 'cpu')).toMatchObject({ offered: false });
    expect(fits(profiles[2], machine({ ready: false }))).toBe(false);
  });

  it('offers profiles as configured when the runtime cannot report', () => {
    expect(offerProfiles({ runtime: 'kubernetes', profiles, used: new Map(), machines: undefined }).every((v) => v.offered && v.machine === null)).toBe(true);
  });

  it('describes a node in words', () => {
    expect(describeMachine(machine({ name: 'g', gpus: 2, gpuModel: 'Tesla P100', cpus: 1 }))).toBe('g (1 CPU, 32 GB memory, 2 Tesla P100 GPUs, 2 free)');
  });
});
