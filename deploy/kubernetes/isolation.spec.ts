import { describe, expect, it } from 'vitest';
import { buildSessionPod } from '../../apps/control-plane/src/runtime/kubernetes';
import { sessionSpec } from '../../test/support/runtime/session-specs';
import type { RuntimeProfile } from '../../apps/control-plane/src/runtime/session-runtime';
import { admitRuntimeClass } from '../../test/fake-k8s/runtime-classes';
import { ObjectStore } from '../../test/fake-k8s/store';
import { findAll, findGenerated, findOne, KubeObject, OVERLAYS, renderOverlay } from '../test/kustomize';
import { schemaProblems } from '../test/kubernetes-schemas';

// What keeps user code in its place on a cluster: notebooks on their own domain (wildcard host
// and certificate), the upload API on a port of its own, sandboxed runtimes named by profiles,
// and a proxy setting that believes only the ingress controller.

const PRODUCTION = OVERLAYS.filter((o) => o !== 'dev');

function rendered(overlay: string) {
  const objects = renderOverlay(overlay);
  const deployment = findOne(objects, 'Deployment', 'trialhub-control-plane');
  const container = deployment.spec.template.spec.containers[0];
  const settings = (findGenerated(objects, 'ConfigMap', 'trialhub-settings') as KubeObject).data as Record<string, string>;
  const env = (name: string): string | undefined => container.env.find((e: { name: string; value?: string }) => e.name === name)?.value ?? settings[name];
  const profiles = JSON.parse((findGenerated(objects, 'ConfigMap', 'trialhub-profiles') as KubeObject).data['profiles.json']) as Array<RuntimeProfile & { runtimeClassName: string | null }>;
  return { objects, deployment, container, env, profiles, ingress: findOne(objects, 'Ingress'), service: findOne(objects, 'Service', 'trialhub-control-plane') };
}

/** The last two labels: enough for the example domains (a real check would use the Public Suffix List). */
const registrable = (host: string) => host.split('.').slice(-2).join('.');

describe.each(OVERLAYS)('isolation in overlay %s', (overlay) => {
  const r = () => rendered(overlay);

  it('serves the portal host and the wildcard notebook domain (NOTEBOOK_DOMAIN) through the Ingress, to the main port only', () => {
    const { env, ingress, service } = r();
    const portalHost = new URL(env('PUBLIC_URL')!).hostname;
    const notebookDomain = env('NOTEBOOK_DOMAIN')!;
    expect(notebookDomain).toMatch(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/);
    const hosts = ingress.spec.rules.map((rule: { host: string }) => rule.host);
    expect(hosts.sort()).toEqual([`*.${notebookDomain}`, portalHost].sort());
    // A registrable domain apart from the portal's: notebook pages are cross-site to it.
    expect(registrable(notebookDomain)).not.toBe(registrable(portalHost));
    const httpPort = service.spec.ports.find((p: { name: string }) => p.name === 'http');
    for (const rule of ingress.spec.rules) {
      for (const path of rule.http.paths) expect(path.backend.service, rule.host).toEqual({ name: service.metadata.name, port: { name: httpPort.name } });
    }
  });

  it('exposes the upload API on its own port: UPLOAD_PORT in the container, the Service and SESSION_UPLOAD_URL', () => {
    const { env, container, service } = r();
    const uploadPort = Number(env('UPLOAD_PORT'));
    expect(uploadPort).not.toBe(Number(env('PORT')));
    const containerPort = container.ports.find((p: { containerPort: number }) => p.containerPort === uploadPort);
    expect(containerPort?.name).toBe('uploads');
    const servicePort = service.spec.ports.find((p: { targetPort: string }) => p.targetPort === containerPort.name);
    const upload = new URL(env('SESSION_UPLOAD_URL')!);
    expect(Number(upload.port)).toBe(servicePort.port);
    expect(upload.protocol).toBe('http:');
    expect(upload.pathname).toBe('/api/uploads');
  });

  it('trusts X-Forwarded-For from one hop (the ingress controller) or named CIDRs, never from anyone', () => {
    const trust = r().env('TRUST_PROXY')!;
    expect(trust).toMatch(/^(\d+|[\d.:a-f]+\/\d+(\s*,\s*[\d.:a-f]+\/\d+)*)$/i);
    expect(['true', '0', 'false']).not.toContain(trust);
  });

  it('names only RuntimeClasses the overlay defines, valid by the schema, and profiles whose pods the admission plugin admits', () => {
    const { objects, profiles, env } = r();
    const classes = findAll(objects, 'RuntimeClass');
    for (const c of classes) expect(schemaProblems(c), c.metadata.name).toBe('');
    const store = new ObjectStore(10);
    for (const c of classes) store.put('runtimeclasses', c);
    for (const profile of profiles) {
      if (!profile.runtimeClassName) continue;
      expect(classes.map((c) => c.metadata.name), profile.name).toContain(profile.runtimeClassName);
      const pod = buildSessionPod(sessionSpec({ profile }), { namespace: env('KUBE_NAMESPACE')!, installationId: 'test' });
      expect(pod.spec!.runtimeClassName).toBe(profile.runtimeClassName);
      // The class's node selector must not contradict the profile's (the plugin would refuse every pod).
      expect(() => admitRuntimeClass(store, structuredClone(pod)), profile.name).not.toThrow();
    }
  });
});

describe.each(PRODUCTION)('production overlay %s', (overlay) => {
  const r = () => rendered(overlay);

  it('serves both hosts over TLS, the notebook domain with a wildcard certificate of its own', () => {
    const { env, ingress } = r();
    const notebookDomain = env('NOTEBOOK_DOMAIN')!;
    const portalHost = new URL(env('PUBLIC_URL')!).hostname;
    expect(env('PUBLIC_URL')).toMatch(/^https:\/\//);
    const tls = ingress.spec.tls as Array<{ hosts: string[]; secretName: string }>;
    const wildcard = tls.find((t) => t.hosts.includes(`*.${notebookDomain}`));
    const portal = tls.find((t) => t.hosts.includes(portalHost));
    expect(wildcard?.secretName).toBeTruthy();
    expect(portal?.secretName).toBeTruthy();
    expect(wildcard!.secretName).not.toBe(portal!.secretName);
  });

  it('defines a sandboxed RuntimeClass (Kata on POWER, gVisor on x86) and runs every profile under it', () => {
    const { objects, profiles } = r();
    const classes = findAll(objects, 'RuntimeClass');
    expect(classes.map((c) => `${c.metadata.name}:${c.handler}`)).toEqual([overlay === 'power8' ? 'kata-qemu:kata-qemu' : 'gvisor:runsc']);
    expect(classes[0].metadata.namespace).toBeUndefined();
    for (const p of profiles) expect(p.runtimeClassName, p.name).toBe(classes[0].metadata.name);
  });
});

describe('the dev overlay', () => {
  it('needs no sandbox installed (any cluster) and no certificates', () => {
    const { objects, profiles, ingress } = rendered('dev');
    expect(findAll(objects, 'RuntimeClass')).toEqual([]);
    for (const p of profiles) expect(p.runtimeClassName, p.name).toBeNull();
    expect(ingress.spec.tls).toBeUndefined();
  });
});
