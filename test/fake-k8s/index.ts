import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiServer } from './api-server';
import { EventRecorder } from './events';
import { FaultPlan } from './faults';
import { GarbageCollector } from './garbage-collector';
import { HttpApi } from './http-api';
import { kubeconfigYaml } from './kubeconfig';
import { Kubelet } from './kubelet';
import { NodeLifecycle } from './node-lifecycle';
import { defaultNodeSpecs, nodeObject } from './nodes';
import { Scheduler } from './scheduler';
import { ObjectStore } from './store';
import type { FakeKubernetes, FakeKubernetesOptions, RecordedRequest, ResourceKind } from './types';
import type { WatchStream } from './watch';

export type { ContainerContext, ContainerStandIn, FakeFaults, FakeKubelet, FakeKubernetes, FakeKubernetesOptions, FakeNodeSpec, RecordedRequest, RequestMatch, ResourceKind } from './types';

const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/**
 * Starts a fake Kubernetes API server on 127.0.0.1 (plain HTTP) with a scheduler, kubelets,
 * a garbage collector and a node lifecycle controller behind it. See README.md for what is
 * faithful and what is simplified.
 */
export async function startFakeKubernetes(options: FakeKubernetesOptions = {}): Promise<FakeKubernetes> {
  const delayMs = options.kubeletDelayMs ?? 50;
  const token = options.token ?? 'fake-k8s-token';
  const store = new ObjectStore(options.historySize ?? 10_000);
  const api = new ApiServer(store);
  const events = new EventRecorder(store);
  const scheduler = new Scheduler(store, api, events);
  const kubelet = new Kubelet(store, api, events, delayMs);
  const nodeLifecycle = new NodeLifecycle(store, api, events, kubelet, delayMs);
  new GarbageCollector(store, api);
  const faults = new FaultPlan();
  const requests: RecordedRequest[] = [];
  const watches = new Set<WatchStream>();

  for (const ns of SYSTEM_NAMESPACES) api.ensureNamespace(ns);
  for (const spec of defaultNodeSpecs(options)) store.put('nodes', nodeObject(spec));
  for (const runtimeClass of options.runtimeClasses ?? []) api.create('runtimeclasses', undefined, { apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', ...runtimeClass });

  let url = '';
  const http = new HttpApi({ store, api, faults, requests, watches, token, address: () => url.replace('http://', ''), bookmarkIntervalMs: options.bookmarkIntervalMs ?? 1_000 });
  const server: Server = createServer(http.handle);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    kubeconfigYaml: kubeconfigYaml(url, token),
    requests,
    kubelet: {
      failImagePull: (imageOrPredicate) => kubelet.failImagePull(imageOrPredicate),
      crashContainer: (podName, namespace) => kubelet.crashContainer(podName, namespace),
      crashAlways: (image) => kubelet.crashAlways(image),
      evict: (podName, namespace) => kubelet.evict(podName, namespace),
      loseNode: (nodeName) => nodeLifecycle.loseNode(nodeName),
      setReady: (podName, ready, namespace) => kubelet.setReady(podName, ready, namespace),
      onExec: (command, handler) => kubelet.onExec(command, handler),
      runContainers: (imageOrPredicate, standIn) => kubelet.runContainers(imageOrPredicate, standIn),
      pause: () => kubelet.pause(),
      resume: () => kubelet.resume(),
    },
    faults: {
      failNext: (count, status, match) => faults.failNext(count, status, match),
      delayNext: (count, ms, match) => faults.delayNext(count, ms, match),
      dropWatches: () => {
        for (const watch of [...watches]) watch.drop();
      },
      compactHistory: () => store.compact(),
    },
    objects: (kind: ResourceKind, namespace?: string) => structuredClone(namespace === undefined ? store.list(kind) : store.list(kind, namespace)),
    close: async () => {
      scheduler.stop();
      kubelet.stop();
      nodeLifecycle.stop();
      for (const watch of [...watches]) watch.end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
