import type { SessionSpec } from '../../../apps/control-plane/src/runtime/session-runtime';

/** Session specs for the driver's tests: UUID ids like the database's, a POWER8 GPU profile. */
export function sessionSpec(overrides: Partial<SessionSpec> = {}, sessionId = '3f1c2a4e-8b7d-4c1a-9e2f-0a1b2c3d4e5f'): SessionSpec {
  return {
    sessionId,
    trialId: 'a0e1b2c3-d4e5-4f60-8a1b-2c3d4e5f6a7b',
    userId: '9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
    profile: {
      name: 'power8-gpu',
      image: 'registry.example/trialhub/notebook-trainer:1.0',
      cpuRequest: '2',
      cpuLimit: '4',
      memoryRequest: '8Gi',
      memoryLimit: '16Gi',
      gpus: 1,
      nodeSelector: { 'kubernetes.io/arch': 'ppc64le' },
      tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
    },
    jupyterToken: 'jupyter-token-value',
    uploadToken: 'upload-token-value',
    uploadUrl: 'http://trialhub-control-plane.trialhub.svc:3001/api/uploads',
    baseUrl: `/notebook/${sessionId}/`,
    sessionPageUrl: `https://trialhub.example/sessions/${sessionId}`,
    trialExpiresAt: new Date(Date.now() + 24 * 3600_000),
    ...overrides,
  };
}
