import { describe, expect, it } from 'vitest';
import { buildSessionPod } from '../../apps/control-plane/src/runtime/kubernetes';
import { sessionSpec } from '../../test/support/runtime/session-specs';
import { findAll, findOne, OVERLAYS, renderOverlay } from '../test/kustomize';
import { Endpoint, NetworkPolicyModel, NetworkPolicyObject } from '../test/network-policy';

describe.each(OVERLAYS)('network policy of overlay %s', (overlay) => {
  const objects = renderOverlay(overlay);
  const deployment = findOne(objects, 'Deployment', 'trialhub-control-plane');
  const sessionsNamespace = deployment.spec.template.spec.containers[0].env.find((e: { name: string }) => e.name === 'KUBE_NAMESPACE').value;
  const namespaces = Object.fromEntries(findAll(objects, 'Namespace').map((n) => [n.metadata.name, n.metadata.labels ?? {}]));
  const model = new NetworkPolicyModel(findAll(objects, 'NetworkPolicy') as unknown as NetworkPolicyObject[], namespaces);

  // Session pods labelled exactly as the driver labels them.
  const sessionPod = (id: string, ip: string): Endpoint => {
    const pod = buildSessionPod(sessionSpec({}, id), { namespace: sessionsNamespace, installationId: 'test' });
    return { name: `session ${id.slice(0, 4)}`, namespace: sessionsNamespace, labels: pod.metadata!.labels, ip };
  };
  const session = sessionPod('3f1c2a4e-8b7d-4c1a-9e2f-0a1b2c3d4e5f', '10.244.1.5');
  const otherSession = sessionPod('7d6c5b4a-3e2f-4a1b-8c9d-0e1f2a3b4c5d', '10.244.2.6');
  const controlPlane: Endpoint = { name: 'control plane', namespace: deployment.metadata.namespace, labels: deployment.spec.template.metadata.labels, ip: '10.244.0.10' };
  const otherPodBesideControlPlane: Endpoint = { name: 'postgres', namespace: deployment.metadata.namespace, labels: { 'app.kubernetes.io/name': 'postgres' }, ip: '10.244.0.11' };
  const dns: Endpoint = { name: 'cluster DNS', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' }, ip: '10.244.0.2' };
  const ingressController: Endpoint = { name: 'ingress controller', namespace: 'ingress-nginx', labels: { 'app.kubernetes.io/name': 'ingress-nginx' }, ip: '10.244.3.4' };
  const otherApp: Endpoint = { name: 'another team\'s app', namespace: 'default', labels: { app: 'web' }, ip: '10.244.3.9' };
  const outside = (name: string, ip: string): Endpoint => ({ name, ip });

  it('lets the control plane reach Jupyter in a session, on Jupyter\'s port only', () => {
    expect(model.allows(controlPlane, session, { port: 8888 })).toBe(true);
    expect(model.allows(controlPlane, session, { port: 22 })).toBe(false);
  });

  it('lets nothing else reach a session: not other sessions, other pods, the ingress controller or the internet', () => {
    for (const source of [otherSession, otherPodBesideControlPlane, ingressController, otherApp, dns, outside('internet', '203.0.113.7')]) {
      expect(model.allows(source, session, { port: 8888 }), source.name).toBe(false);
    }
  });

  const uploadPort = Number(deployment.spec.template.spec.containers[0].env.find((e: { name: string }) => e.name === 'UPLOAD_PORT').value);
  const mainPort = Number(deployment.spec.template.spec.containers[0].env.find((e: { name: string }) => e.name === 'PORT').value);

  it('lets a session reach the control plane\'s upload port (SESSION_UPLOAD_URL) and cluster DNS, and not the rest of the API', () => {
    expect(uploadPort).not.toBe(mainPort);
    expect(model.allows(session, controlPlane, { port: uploadPort })).toBe(true);
    expect(model.allows(session, controlPlane, { port: mainPort })).toBe(false);
    expect(model.allows(session, controlPlane, { port: uploadPort, protocol: 'UDP' })).toBe(false);
    expect(model.allows(session, dns, { port: 53, protocol: 'UDP' })).toBe(true);
    expect(model.allows(session, dns, { port: 53, protocol: 'TCP' })).toBe(true);
  });

  it('lets a session reach the internet over IPv4 and IPv6 on HTTP and HTTPS only (package mirrors, data sets)', () => {
    expect(model.allows(session, outside('github.com', '140.82.112.3'), { port: 443 })).toBe(true);
    expect(model.allows(session, outside('a mirror over http', '151.101.0.223'), { port: 80 })).toBe(true);
    expect(model.allows(session, outside('public IPv6', '2606:4700:4700::1111'), { port: 443 })).toBe(true);
    for (const port of [22, 25, 53, 6379, 8080]) expect(model.allows(session, outside('public host', '140.82.112.3'), { port }), `port ${port}`).toBe(false);
    expect(model.allows(session, outside('public resolver', '8.8.8.8'), { port: 53, protocol: 'UDP' })).toBe(false);
  });

  it('keeps sessions away from cloud metadata, the cluster\'s services, nodes and each other', () => {
    const forbidden: Array<[Endpoint, number]> = [
      [outside('cloud metadata', '169.254.169.254'), 80],
      [outside('cloud metadata over https', '169.254.169.254'), 443],
      [outside('a pod in 10/8', '10.244.7.7'), 443],
      [outside('a host in 192.168/16', '192.168.0.1'), 80],
      [outside('multicast', '224.0.0.251'), 80],
      [outside('IPv6 unique-local', 'fd12:3456::1'), 443],
      [outside('AWS IPv6 metadata', 'fd00:ec2::254'), 80],
      [outside('API server Service', '10.96.0.1'), 443],
      [outside('kubelet on a node', '192.168.1.10'), 10250],
      [outside('node in a 172.16/12 VPC', '172.20.3.4'), 22],
      [outside('carrier-grade NAT range', '100.64.0.1'), 443],
      [outside('loopback', '127.0.0.1'), 8888],
      [outside('IPv6 link-local', 'fe80::1'), 80],
      [otherSession, 8888],
      [otherPodBesideControlPlane, 5432],
      [controlPlane, 5432],
      [otherApp, 80],
      [dns, 8080],
    ];
    for (const [target, port] of forbidden) expect(model.allows(session, target, { port }), `${target.name}:${port}`).toBe(false);
  });

  it('denies by default whatever else runs in the sessions namespace', () => {
    const stray: Endpoint = { name: 'stray pod', namespace: sessionsNamespace, labels: { app: 'debug' }, ip: '10.244.1.99' };
    expect(model.allows(stray, outside('internet', '140.82.112.3'), { port: 443 })).toBe(false);
    expect(model.allows(controlPlane, stray, { port: 8888 })).toBe(false);
  });
});
