import { describe, expect, it } from 'vitest';
import { Pod } from 'kubernetes-models/v1';
import { loadConfig } from '../../apps/control-plane/src/config/app-config';
import { ENV_NAMES, validateEnvironment } from '../../apps/control-plane/src/config/environment';
import { shutdownBudgetMs } from '../../apps/control-plane/src/health/graceful-shutdown';
import { DEFAULT_PROFILES } from '../../apps/control-plane/src/profiles/default-profiles';
import { buildSessionPod, checkRestrictedPodSecurity } from '../../apps/control-plane/src/runtime/kubernetes';
import { sessionSpec } from '../../test/support/runtime/session-specs';
import type { RuntimeProfile } from '../../apps/control-plane/src/runtime/session-runtime';
import { findGenerated, findOne, KubeObject, OVERLAYS, renderOverlay } from '../test/kustomize';
import { parseQuantity } from '../test/quantity';

const ARCH_OF_OVERLAY: Record<string, string | undefined> = { power8: 'ppc64le', 'x86-gpu': 'amd64', dev: undefined };
const PROFILE_KEYS = Object.keys(DEFAULT_PROFILES[0]).sort();

interface Rendered {
  objects: KubeObject[];
  deployment: KubeObject;
  container: any;
  settings: Record<string, string>;
  profiles: Array<RuntimeProfile & Record<string, unknown>>;
}

function rendered(overlay: string): Rendered {
  const objects = renderOverlay(overlay);
  const deployment = findOne(objects, 'Deployment', 'trialhub-control-plane');
  const container = deployment.spec.template.spec.containers[0];
  const settings = (findGenerated(objects, 'ConfigMap', 'trialhub-settings') as KubeObject).data as Record<string, string>;
  const profilesMap = findGenerated(objects, 'ConfigMap', 'trialhub-profiles') as KubeObject;
  return { objects, deployment, container, settings, profiles: JSON.parse(profilesMap.data['profiles.json']) };
}

const envValue = (r: Rendered, name: string): string | undefined =>
  r.container.env.find((e: { name: string; value?: string }) => e.name === name)?.value ?? r.settings[name];

/** The control plane's environment in this overlay: the ConfigMap, the container's env, placeholders for the Secret's keys. */
function environmentOf(r: Rendered): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...r.settings };
  for (const e of r.container.env) {
    if (e.value !== undefined) env[e.name] = e.value;
    else if (e.valueFrom?.secretKeyRef) {
      const placeholders: Record<string, string> = {
        DATABASE_URL: 'postgres://trialhub:secret@db.example:5432/trialhub',
        SESSION_SECRET: 'x'.repeat(48),
        SMTP_URL: 'smtp://mail.example:587',
        ADMIN_EMAIL: 'admin@example.com',
        ADMIN_PASSWORD: 'a-long-admin-password',
        S3_ACCESS_KEY_ID: 'AKIAEXAMPLE',
        S3_SECRET_ACCESS_KEY: 'secret-access-key',
      };
      expect(placeholders, `a placeholder for Secret key ${e.valueFrom.secretKeyRef.key}`).toHaveProperty([e.valueFrom.secretKeyRef.key]);
      env[e.name] = placeholders[e.valueFrom.secretKeyRef.key];
    }
  }
  return env;
}

describe.each(OVERLAYS)('control plane configuration of overlay %s', (overlay) => {
  it('uses only environment variable names the control plane validates (env and the settings ConfigMap)', () => {
    const r = rendered(overlay);
    const names = [...r.container.env.map((e: { name: string }) => e.name), ...Object.keys(r.settings)];
    expect(names.filter((n) => !ENV_NAMES.includes(n))).toEqual([]);
    // Set twice would mean the ConfigMap value is silently ignored (env wins over envFrom).
    const inEnv = new Set(r.container.env.map((e: { name: string }) => e.name));
    expect(Object.keys(r.settings).filter((n) => inEnv.has(n))).toEqual([]);
    expect(r.container.envFrom).toEqual([{ configMapRef: { name: expect.stringMatching(/^trialhub-settings-/) } }]);
  });

  it('passes the control plane\'s own validation, with the Secret\'s keys filled in', () => {
    const r = rendered(overlay);
    const env = environmentOf(r);
    expect(() => validateEnvironment(env)).not.toThrow();
    expect(env.NODE_ENV).toBe('production');
    expect(env.RUNTIME).toBe('kubernetes');
  });

  it('gives a stopping replica the time its shutdown takes: the drain, requests in flight and the hooks, with no preStop sleep on top', () => {
    const r = rendered(overlay);
    // The numbers are the app's (its defaults for this environment, or what the overlay sets), never repeated here.
    const config = loadConfig(environmentOf(r));
    expect(config.shutdown.drainMs, 'a drain for the endpoints to drop the pod').toBeGreaterThanOrEqual(3000);
    expect(r.deployment.spec.template.spec.terminationGracePeriodSeconds * 1000).toBeGreaterThanOrEqual(shutdownBudgetMs(config));
    // The app drains itself (SIGTERM comes at once); a preStop sleep would add to the drain and eat the grace period.
    expect(r.container.lifecycle?.preStop).toBeUndefined();
    // Draining is not dying: liveness stays on /healthz, which answers during the drain; readiness is /readyz, which does not.
    expect(r.container.livenessProbe.httpGet.path).toBe('/healthz');
    expect(r.container.readinessProbe.httpGet.path).toBe('/readyz');
    // (The production overlays' RollingUpdate with maxUnavailable 0 is checked in manifests.spec.ts; dev recreates its one replica.)
  });

  it('points the driver at the sessions namespace and session pods at the control plane Service', () => {
    const r = rendered(overlay);
    const namespace = findOne(r.objects, 'Namespace', envValue(r, 'KUBE_NAMESPACE'));
    expect(findOne(r.objects, 'ResourceQuota').metadata.namespace).toBe(namespace.metadata.name);
    const upload = new URL(envValue(r, 'SESSION_UPLOAD_URL')!);
    const service = findOne(r.objects, 'Service', 'trialhub-control-plane');
    expect(upload.hostname).toBe(`${service.metadata.name}.${service.metadata.namespace}.svc`);
    // The upload API's own port (UPLOAD_PORT), not the main one.
    const uploads = service.spec.ports.find((p: { name: string }) => p.name === 'uploads');
    expect(Number(upload.port)).toBe(uploads.port);
    expect(r.container.ports.find((p: { name: string }) => p.name === uploads.targetPort).containerPort).toBe(Number(envValue(r, 'UPLOAD_PORT')));
    expect(upload.pathname).toBe('/api/uploads');
    expect(Number(envValue(r, 'PORT'))).toBe(r.container.ports[0].containerPort);
  });

  it('mounts the profiles ConfigMap where PROFILES_FILE says', () => {
    const r = rendered(overlay);
    const file = envValue(r, 'PROFILES_FILE')!;
    const mount = r.container.volumeMounts.find((m: { mountPath: string }) => file === `${m.mountPath}/profiles.json`);
    expect(mount, `a volume mounted at the folder of ${file}`).toBeDefined();
    const volume = r.deployment.spec.template.spec.volumes.find((v: { name: string }) => v.name === mount.name);
    expect(volume.configMap.name).toMatch(/^trialhub-profiles-/);
  });

  it('writes profiles with exactly the fields the control plane seeds, one default, the notebook image pinned', () => {
    const { profiles } = rendered(overlay);
    expect(profiles.length).toBeGreaterThan(0);
    for (const p of profiles) expect(Object.keys(p).sort(), p.name).toEqual(PROFILE_KEYS);
    expect(profiles.filter((p) => p.isDefault && p.enabled)).toHaveLength(1);
    expect(new Set(profiles.map((p) => p.name)).size).toBe(profiles.length);
    for (const p of profiles) expect(p.image, p.name).toMatch(/^[\w.-]+(\/[\w.-]+)+:\d[\w.-]*(@sha256:[a-f0-9]{64})?$/);
  });

  it('places GPU profiles on this overlay\'s GPU nodes (architecture, GPU label and taint toleration)', () => {
    const { profiles } = rendered(overlay);
    const gpuProfiles = profiles.filter((p) => p.gpus > 0);
    if (ARCH_OF_OVERLAY[overlay] === undefined) {
      expect(gpuProfiles).toEqual([]);
      return;
    }
    expect(gpuProfiles.length).toBeGreaterThan(0);
    for (const p of gpuProfiles) {
      expect(p.nodeSelector['kubernetes.io/arch'], p.name).toBe(ARCH_OF_OVERLAY[overlay]);
      expect(p.nodeSelector['nvidia.com/gpu.present'], p.name).toBe('true');
      expect(p.tolerations, p.name).toContainEqual({ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' });
    }
  });

  it('gives every profile a session pod that is schema-valid, restricted, and fits the namespace\'s limits and quota', () => {
    const r = rendered(overlay);
    const quota = findOne(r.objects, 'ResourceQuota').spec.hard;
    const limitRange = findOne(r.objects, 'LimitRange').spec.limits;
    const containerMax = limitRange.find((l: { type: string }) => l.type === 'Container').max;
    const claimMax = limitRange.find((l: { type: string }) => l.type === 'PersistentVolumeClaim').max;
    const namespace = envValue(r, 'KUBE_NAMESPACE')!;
    for (const profile of r.profiles) {
      const pod = buildSessionPod(sessionSpec({ profile, uploadUrl: envValue(r, 'SESSION_UPLOAD_URL')! }), { namespace, installationId: envValue(r, 'INSTALLATION_ID')! });
      expect(() => new Pod(pod as object).validate(), profile.name).not.toThrow();
      expect(checkRestrictedPodSecurity(pod), profile.name).toEqual([]);
      const { requests, limits } = pod.spec!.containers[0].resources!;
      expect(parseQuantity(limits!.cpu), `${profile.name} cpu limit`).toBeLessThanOrEqual(parseQuantity(containerMax.cpu));
      expect(parseQuantity(limits!.memory), `${profile.name} memory limit`).toBeLessThanOrEqual(parseQuantity(containerMax.memory));
      expect(parseQuantity(requests!.cpu), `${profile.name} cpu request`).toBeLessThanOrEqual(parseQuantity(quota['requests.cpu']));
      expect(profile.gpus, `${profile.name} GPUs`).toBeLessThanOrEqual(parseQuantity(quota['requests.nvidia.com/gpu']));
    }
    expect(parseQuantity(envValue(r, 'WORKSPACE_SIZE')!)).toBeLessThanOrEqual(parseQuantity(claimMax.storage));
  });
});
