import { describe, expect, it } from 'vitest';
import type { V1Pod } from '@kubernetes/client-node';
import { checkRestrictedPodSecurity } from '../../apps/control-plane/src/runtime/kubernetes';
import { findAll, findGenerated, findOne, KubeObject, labelsMatch, OVERLAYS, podTemplates, renderOverlay } from '../test/kustomize';
import { schemaProblems } from '../test/kubernetes-schemas';

const PRODUCTION = OVERLAYS.filter((o) => o !== 'dev');
const CONTROL_PLANE = 'trialhub-control-plane';
const SESSIONS_NAMESPACE = 'trialhub-sessions';

describe('the overlays', () => {
  it('are power8, x86-gpu and dev', () => {
    expect(OVERLAYS).toEqual(['dev', 'power8', 'x86-gpu']);
  });
});

describe.each(OVERLAYS)('overlay %s, rendered with kubectl kustomize', (overlay) => {
  const objects = () => renderOverlay(overlay);

  it('renders objects that all pass the Kubernetes schemas', () => {
    expect(objects().length).toBeGreaterThan(10);
    const problems = objects()
      .map((o) => ({ id: `${o.kind} ${o.metadata?.namespace ?? ''}/${o.metadata?.name}`, problem: schemaProblems(o) }))
      .filter((p) => p.problem);
    expect(problems).toEqual([]);
  });

  it('names every object once, and every namespaced object lives in a namespace it creates', () => {
    const ids = objects().map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
    expect(new Set(ids).size).toBe(ids.length);
    const namespaces = new Set(findAll(objects(), 'Namespace').map((n) => n.metadata.name));
    expect([...namespaces].sort()).toEqual(['trialhub', SESSIONS_NAMESPACE]);
    const clusterScoped = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'RuntimeClass']);
    for (const o of objects()) {
      if (clusterScoped.has(o.kind)) expect(o.metadata.namespace, `${o.kind} ${o.metadata.name}`).toBeUndefined();
      else expect(namespaces.has(o.metadata.namespace ?? ''), `${o.kind} ${o.metadata.name} in ${o.metadata.namespace}`).toBe(true);
    }
  });

  it('labels both namespaces to enforce the Pod Security restricted profile', () => {
    for (const ns of findAll(objects(), 'Namespace')) {
      expect(ns.metadata.labels?.['pod-security.kubernetes.io/enforce'], ns.metadata.name).toBe('restricted');
    }
  });

  it('runs every pod template under the restricted profile, with requests and limits on every container', () => {
    const templates = podTemplates(objects());
    expect(templates.length).toBeGreaterThan(0);
    for (const t of templates) {
      const pod = { apiVersion: 'v1', kind: 'Pod', metadata: t.metadata, spec: t.spec } as V1Pod;
      expect(checkRestrictedPodSecurity(pod), t.owner).toEqual([]);
      for (const c of t.spec.containers) {
        expect(c.resources?.requests?.cpu && c.resources?.requests?.memory, `${t.owner} ${c.name} requests`).toBeTruthy();
        expect(c.resources?.limits?.memory, `${t.owner} ${c.name} memory limit`).toBeTruthy();
        expect(c.image, `${t.owner} ${c.name} image tag`).toMatch(/^[^:]+(:[0-9][\w.-]*)?(@sha256:[a-f0-9]{64})?$/);
        expect(c.image, `${t.owner} ${c.name} image is pinned`).toMatch(/:[0-9]|@sha256:/);
      }
    }
  });

  it('probes the control plane on /healthz (startup, liveness) and /readyz (readiness)', () => {
    const deployment = findOne(objects(), 'Deployment', CONTROL_PLANE);
    const [container] = deployment.spec.template.spec.containers;
    expect(container.startupProbe.httpGet.path).toBe('/healthz');
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
    const portNames = container.ports.map((p: { name: string }) => p.name);
    for (const probe of [container.startupProbe, container.livenessProbe, container.readinessProbe]) expect(portNames).toContain(probe.httpGet.port);
  });

  it('connects Service, Ingress and disruption budget to the control plane pods', () => {
    const deployment = findOne(objects(), 'Deployment', CONTROL_PLANE);
    const podLabels = deployment.spec.template.metadata.labels;
    expect(labelsMatch(deployment.spec.selector.matchLabels, podLabels)).toBe(true);
    const service = findOne(objects(), 'Service', CONTROL_PLANE);
    expect(labelsMatch(service.spec.selector, podLabels)).toBe(true);
    const containerPorts = deployment.spec.template.spec.containers[0].ports.map((p: { name: string }) => p.name);
    for (const port of service.spec.ports) expect(containerPorts).toContain(port.targetPort);
    const ingress = findOne(objects(), 'Ingress');
    const backends = ingress.spec.rules.flatMap((r: any) => r.http.paths.map((p: any) => p.backend.service));
    for (const backend of backends) {
      expect(backend.name).toBe(service.metadata.name);
      expect(service.spec.ports.map((p: { name: string }) => p.name)).toContain(backend.port.name);
    }
    for (const pdb of findAll(objects(), 'PodDisruptionBudget')) expect(labelsMatch(pdb.spec.selector.matchLabels, podLabels)).toBe(true);
  });

  it('refers only to ConfigMaps, Secrets, claims and service accounts that exist, except the operator\'s trialhub-secrets', () => {
    const missing: string[] = [];
    const has = (kind: string, namespace: string | undefined, name: string) =>
      objects().some((o) => o.kind === kind && o.metadata.name === name && (o.metadata.namespace ?? undefined) === namespace);
    for (const t of podTemplates(objects())) {
      const need = (kind: string, name: string, optional = false) => {
        if (optional || has(kind, t.namespace, name)) return;
        if (kind === 'Secret' && name === 'trialhub-secrets' && overlay !== 'dev') return; // created by the operator (deploy/README.md)
        missing.push(`${t.owner} needs ${kind} ${name}`);
      };
      if (t.spec.serviceAccountName) need('ServiceAccount', t.spec.serviceAccountName);
      for (const v of t.spec.volumes ?? []) {
        if (v.configMap) need('ConfigMap', v.configMap.name, v.configMap.optional);
        if (v.secret) need('Secret', v.secret.secretName, v.secret.optional);
        if (v.persistentVolumeClaim) need('PersistentVolumeClaim', v.persistentVolumeClaim.claimName);
      }
      for (const c of t.spec.containers) {
        for (const e of c.env ?? []) {
          if (e.valueFrom?.secretKeyRef) need('Secret', e.valueFrom.secretKeyRef.name, e.valueFrom.secretKeyRef.optional);
          if (e.valueFrom?.configMapKeyRef) need('ConfigMap', e.valueFrom.configMapKeyRef.name, e.valueFrom.configMapKeyRef.optional);
        }
        for (const e of c.envFrom ?? []) {
          if (e.configMapRef) need('ConfigMap', e.configMapRef.name, e.configMapRef.optional);
          if (e.secretRef) need('Secret', e.secretRef.name, e.secretRef.optional);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('caps the sessions namespace with a ResourceQuota that counts GPUs, pods and storage', () => {
    const quota = findOne(objects(), 'ResourceQuota');
    expect(quota.metadata.namespace).toBe(SESSIONS_NAMESPACE);
    for (const key of ['pods', 'requests.cpu', 'requests.memory', 'limits.memory', 'requests.nvidia.com/gpu', 'persistentvolumeclaims', 'requests.storage']) {
      expect(quota.spec.hard, key).toHaveProperty([key]);
    }
  });
});

describe.each(PRODUCTION)('production overlay %s', (overlay) => {
  const objects = () => renderOverlay(overlay);

  it('runs at least two control plane replicas, rolls without losing one, and keeps one through drains', () => {
    const deployment = findOne(objects(), 'Deployment', CONTROL_PLANE);
    expect(deployment.spec.replicas).toBeGreaterThanOrEqual(2);
    expect(deployment.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
    const pdb = findOne(objects(), 'PodDisruptionBudget', CONTROL_PLANE);
    expect(pdb.spec.minAvailable).toBeGreaterThanOrEqual(1);
    expect(pdb.spec.minAvailable).toBeLessThan(deployment.spec.replicas);
  });

  it('keeps artifacts in object storage, which every replica shares', () => {
    const settings = findGenerated(objects(), 'ConfigMap', 'trialhub-settings') as KubeObject;
    expect(settings.data.ARTIFACT_STORE).toBe('s3');
  });

  it('does not carry credentials: the Secret is the operator\'s', () => {
    expect(findAll(objects(), 'Secret')).toEqual([]);
  });
});

describe('the dev overlay', () => {
  const objects = () => renderOverlay('dev');

  it('runs one control plane replica, replaced rather than rolled, with no disruption budget', () => {
    const deployment = findOne(objects(), 'Deployment', CONTROL_PLANE);
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy).toEqual({ type: 'Recreate' });
    expect(findAll(objects(), 'PodDisruptionBudget')).toEqual([]);
  });

  it('brings PostgreSQL as a StatefulSet with its own volume, which DATABASE_URL points at', () => {
    const postgres = findOne(objects(), 'StatefulSet', 'postgres');
    expect(postgres.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBeTruthy();
    const service = findOne(objects(), 'Service', postgres.spec.serviceName);
    expect(labelsMatch(service.spec.selector, postgres.spec.template.metadata.labels)).toBe(true);
    const secret = findGenerated(objects(), 'Secret', 'trialhub-secrets') as KubeObject;
    const url = new URL(Buffer.from(secret.data.DATABASE_URL, 'base64').toString());
    expect(url.hostname).toBe(`${service.metadata.name}.${service.metadata.namespace}.svc`);
    expect(url.port).toBe(String(service.spec.ports[0].port));
    const credentials = findGenerated(objects(), 'Secret', 'postgres-credentials') as KubeObject;
    const decoded = (k: string) => Buffer.from(credentials.data[k], 'base64').toString();
    expect(decodeURIComponent(url.username)).toBe(decoded('POSTGRES_USER'));
    expect(decodeURIComponent(url.password)).toBe(decoded('POSTGRES_PASSWORD'));
    expect(url.pathname).toBe(`/${decoded('POSTGRES_DB')}`);
  });

  it('keeps local artifacts on a volume that survives restarts', () => {
    const deployment = findOne(objects(), 'Deployment', CONTROL_PLANE);
    const settings = findGenerated(objects(), 'ConfigMap', 'trialhub-settings') as KubeObject;
    expect(settings.data.ARTIFACT_STORE).toBe('local');
    const [container] = deployment.spec.template.spec.containers;
    const mount = container.volumeMounts.find((m: { mountPath: string }) => settings.data.ARTIFACT_DIR.startsWith(m.mountPath + '/'));
    const volume = deployment.spec.template.spec.volumes.find((v: { name: string }) => v.name === mount.name);
    expect(volume.persistentVolumeClaim?.claimName).toBeTruthy();
    expect(volume.emptyDir).toBeUndefined();
  });
});
