import type { ProfileEntity } from '../database/entities';

export type ProfileSeed = Omit<ProfileEntity, 'createdAt' | 'updatedAt'>;

/** The notebook-plus-trainer image (deploy/images/notebook), built for linux/amd64 and linux/ppc64le. */
export const NOTEBOOK_IMAGE = 'ghcr.io/trialhub/notebook:0.1.0';
const GPU_TOLERATION = { key: 'nvidia.com/gpu', operator: 'Exists' as const, effect: 'NoSchedule' };

/** Seeded on first start (and from PROFILES_FILE when set); admins edit them afterwards. */
export const DEFAULT_PROFILES: ProfileSeed[] = [
  {
    name: 'power8-gpu',
    displayName: 'POWER8 + NVIDIA GPU',
    description: 'IBM POWER8 (ppc64le) node with one NVIDIA GPU, like the original PowerAI setup.',
    image: NOTEBOOK_IMAGE,
    cpuRequest: '2', cpuLimit: '4', memoryRequest: '8Gi', memoryLimit: '16Gi',
    gpus: 1,
    nodeSelector: { 'kubernetes.io/arch': 'ppc64le', 'nvidia.com/gpu.present': 'true' },
    tolerations: [GPU_TOLERATION],
    runtimeClassName: null,
    slots: 4, isDefault: true, enabled: true, sortOrder: 0,
  },
  {
    name: 'x86-gpu',
    displayName: 'x86 + NVIDIA GPU',
    description: 'x86-64 node with one NVIDIA GPU.',
    image: NOTEBOOK_IMAGE,
    cpuRequest: '2', cpuLimit: '4', memoryRequest: '8Gi', memoryLimit: '16Gi',
    gpus: 1,
    nodeSelector: { 'kubernetes.io/arch': 'amd64', 'nvidia.com/gpu.present': 'true' },
    tolerations: [GPU_TOLERATION],
    runtimeClassName: null,
    slots: 4, isDefault: false, enabled: true, sortOrder: 1,
  },
  {
    name: 'cpu',
    displayName: 'CPU only',
    description: 'No GPU: fine for the example with stored bottlenecks; slower feature extraction.',
    image: NOTEBOOK_IMAGE,
    cpuRequest: '1', cpuLimit: '2', memoryRequest: '2Gi', memoryLimit: '4Gi',
    gpus: 0,
    nodeSelector: {},
    tolerations: [],
    runtimeClassName: null,
    slots: 8, isDefault: false, enabled: true, sortOrder: 2,
  },
];
