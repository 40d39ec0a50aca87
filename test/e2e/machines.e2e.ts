import { cpus, totalmem } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProfileView } from '@trialhub/contracts';
import { detectGpus } from '../../apps/control-plane/src/runtime/local/this-computer';
import { ApiClient } from '../support/http';
import { startFakeCluster, waitFor } from '../support/kube';
import { startTestServer, TestServer } from '../support/server';

const GPU_TAINT = { key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' as const };
const profiles = async (api: ApiClient): Promise<ProfileView[]> => (await api.get('/api/profiles')).body;
const offered = (list: ProfileView[]) => list.filter((p) => p.offered);

describe('machines offered are what the local runtime reports: this computer', () => {
  let server: TestServer;
  let user: ApiClient;
  beforeAll(async () => {
    server = await startTestServer({ JUPYTER_COMMAND: 'off' });
    user = new ApiClient(server.url);
    await user.signup('local@example.com');
  });
  afterAll(() => server?.stop());

  it('offers one machine, named as local mode, with this computer\'s CPU count and memory, and a GPU only if it has one', async () => {
    const list = await profiles(user);
    const gpus = detectGpus().length;
    expect(list.every((p) => p.runtime === 'local' && p.displayName === 'This computer (local mode)')).toBe(true);
    const [here] = offered(list);
    expect(offered(list)).toHaveLength(1);
    expect(here.machine).toContain(`${cpus().length} CPU`);
    const gb = totalmem() / 1e9;
    expect(here.machine).toContain(`${gb.toFixed(gb >= 10 ? 0 : 1)} GB memory`);
    if (gpus === 0) {
      expect(here.machine).toContain('no GPU');
      expect(here.gpus).toBe(0);
      // The seeded GPU profiles are not offered: this computer has no GPU.
      for (const p of list.filter((x) => x.name.endsWith('-gpu'))) expect(p).toMatchObject({ offered: false, unavailableReason: 'This computer has no GPU.' });
    }
  });

  it('launches on what it offers when no profile is named', async () => {
    const [here] = offered(await profiles(user));
    const launched = await user.post('/api/sessions', {});
    expect(launched.status).toBe(202);
    expect(launched.body.profile).toBe(here.name);
    expect((await user.delete(`/api/sessions/${launched.body.id}`)).status).toBeLessThan(300);
  });
});

describe('machines offered are what the Kubernetes runtime reports: its nodes (fake cluster)', () => {
  let cluster: Awaited<ReturnType<typeof startFakeCluster>>;
  let server: TestServer;
  let user: ApiClient;
  beforeAll(async () => {
    cluster = await startFakeCluster({ nodes: [
      { name: 'power8-a', labels: { 'kubernetes.io/arch': 'ppc64le', 'nvidia.com/gpu.present': 'true', 'nvidia.com/gpu.product': 'Tesla-P100-SXM2-16GB' }, gpus: 2, cpu: '160', memory: '512Gi', taints: [GPU_TAINT] },
      { name: 'cpu-a', labels: { 'kubernetes.io/arch': 'amd64' }, gpus: 0, cpu: '8', memory: '32Gi' },
    ] });
    server = await startTestServer(cluster.env);
    user = new ApiClient(server.url);
    await user.signup('cluster@example.com');
  });
  afterAll(async () => {
    await server?.stop();
    await cluster?.fake.close();
  });

  it('offers the kinds of machine the nodes have, with their CPUs, memory and GPUs, and free slots bounded by free GPUs', async () => {
    const list = await profiles(user);
    const byName = new Map(list.map((p) => [p.name, p]));
    expect(list.every((p) => p.runtime === 'kubernetes')).toBe(true);
    expect(byName.get('power8-gpu')).toMatchObject({ offered: true, slots: 4, slotsFree: 2, displayName: 'POWER8 + NVIDIA GPU' });
    expect(byName.get('power8-gpu')!.machine).toBe('power8-a (160 CPUs, 550 GB memory, 2 Tesla-P100-SXM2-16GB GPUs, 2 free)');
    // No amd64 GPU node: not offered, and why.
    expect(byName.get('x86-gpu')).toMatchObject({ offered: false, slotsFree: 0, unavailableReason: 'No GPU node of this kind is in the cluster right now.' });
    // The CPU profile tolerates no GPU taint: only the CPU node takes it.
    expect(byName.get('cpu')!.machine).toBe('cpu-a (8 CPUs, 34 GB memory, no GPU)');
  });

  it('follows the cluster: a node that stops responding is no longer offered', async () => {
    cluster.fake.kubelet.loseNode('power8-a');
    const after = await waitFor('power8-gpu no longer offered', () => profiles(user), (list) => list.find((p) => p.name === 'power8-gpu')?.offered === false, 30_000, 250);
    expect(after.find((p) => p.name === 'cpu')?.offered).toBe(true);
  });
});
