/**
 * The fake Kubernetes API server under the control plane's load: 1,000 GPU pods created at
 * once on 250 nodes × 4 GPUs until all are Ready, then 10,000 pods created and deleted.
 * `npm run bench fake-k8s`
 */
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { startFakeKubernetes } from '../fake-k8s';

async function main(): Promise<void> {
const fake = await startFakeKubernetes({ port: 0, nodes: 250, gpusPerNode: 4, kubeletDelayMs: 50 });
const kc = new KubeConfig();
kc.loadFromString(fake.kubeconfigYaml);
const core = kc.makeApiClient(CoreV1Api);
const namespace = 'bench';
const body = (name: string) => ({
  metadata: { name, labels: { app: 'bench' } },
  spec: {
    containers: [{ name: 'nb', image: 'registry.example/nb:1', resources: { limits: { 'nvidia.com/gpu': '1', cpu: '1', memory: '1Gi' } } }],
    tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
  },
});

async function inBatches<T>(count: number, parallel: number, task: (i: number) => Promise<T>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: parallel }, async () => {
    while (next < count) await task(next++);
  }));
}

const ready = () => fake.objects('pods', namespace).filter((p) => p.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True')).length;

let t0 = performance.now();
await inBatches(1000, 100, (i) => core.createNamespacedPod({ namespace, body: body(`gpu-${i}`) }));
const created = performance.now() - t0;
while (ready() < 1000) await new Promise((r) => setTimeout(r, 50));
console.log(`1,000 GPU pods on 250 nodes: created in ${created.toFixed(0)} ms, all Ready after ${(performance.now() - t0).toFixed(0)} ms (kubelet steps 50 ms)`);

t0 = performance.now();
const listed = await core.listNamespacedPod({ namespace, labelSelector: 'app=bench' });
console.log(`list of ${listed.items.length} pods by label: ${(performance.now() - t0).toFixed(0)} ms`);

t0 = performance.now();
await inBatches(1000, 100, (i) => core.deleteNamespacedPod({ namespace, name: `gpu-${i}` }));
while (fake.objects('pods', namespace).length > 0) await new Promise((r) => setTimeout(r, 50));
console.log(`1,000 graceful deletions: all gone after ${(performance.now() - t0).toFixed(0)} ms`);

const cpuBody = (name: string) => ({ metadata: { name, labels: { app: 'teardown' } }, spec: { containers: [{ name: 'c', image: 'registry.example/nb:1' }] } });
t0 = performance.now();
await inBatches(10_000, 100, (i) => core.createNamespacedSecret({ namespace, body: { metadata: { name: `s-${i}`, labels: { app: 'teardown' } } } }));
console.log(`10,000 secrets created in ${(performance.now() - t0).toFixed(0)} ms`);
t0 = performance.now();
await inBatches(10_000, 100, (i) => core.deleteNamespacedSecret({ namespace, name: `s-${i}` }));
console.log(`10,000 secrets deleted in ${(performance.now() - t0).toFixed(0)} ms`);
void cpuBody;
await fake.close();
}

void main();
