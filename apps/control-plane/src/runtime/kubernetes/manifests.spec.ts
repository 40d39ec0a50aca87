import { PersistentVolumeClaim, Pod, Secret, Service } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { managedSelector } from './labels';
import { buildSessionPod, buildSessionSecret, buildSessionService, buildWorkspaceClaim, ownerReferenceTo, secondsLeft } from './manifests';
import { checkRestrictedPodSecurity } from './pod-security';
import { notebookUiFiles } from '../notebook-ui';
import { sessionSpec } from '../../../../../test/support/runtime/session-specs';

const ctx = { namespace: 'trialhub-sessions', installationId: 'prod-eu' };
const spec = sessionSpec();
const createdPod = { metadata: { name: `trialhub-s-${spec.sessionId}`, uid: '1d2c3b4a-0000-4000-8000-000000000001' } };

describe('manifests', () => {
  it('builds schema-valid objects (the official Kubernetes OpenAPI schemas)', () => {
    expect(() => new Pod(buildSessionPod(spec, ctx) as never).validate()).not.toThrow();
    expect(() => new Secret(buildSessionSecret(spec, ctx) as never).validate()).not.toThrow();
    expect(() => new Service(buildSessionService(spec, ctx, createdPod) as never).validate()).not.toThrow();
    expect(() => new PersistentVolumeClaim(buildWorkspaceClaim({ ...spec, storage: '10Gi' }, ctx) as never).validate()).not.toThrow();
  });

  it('names every object with DNS-1123 names derived from the ids', () => {
    const pod = buildSessionPod(spec, ctx);
    expect(pod.metadata!.name).toBe(`trialhub-s-${spec.sessionId}`);
    expect(buildSessionSecret(spec, ctx).metadata!.name).toBe(pod.metadata!.name);
    expect(buildSessionService(spec, ctx, createdPod).metadata!.name).toBe(pod.metadata!.name);
    expect(buildWorkspaceClaim({ ...spec, storage: '10Gi' }, ctx).metadata!.name).toBe(`trialhub-ws-${spec.trialId}`);
    for (const name of [pod.metadata!.name!, `trialhub-ws-${spec.trialId}`]) expect(name).toMatch(/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/);
    expect(() => buildSessionPod({ ...spec, sessionId: 'not_a/uuid' }, ctx)).toThrow(/cannot be part of a Kubernetes object name/);
  });

  it('labels objects with installation, trial, session, user and component', () => {
    const pod = buildSessionPod(spec, ctx);
    expect(pod.metadata!.labels).toEqual({
      'app.kubernetes.io/managed-by': 'trialhub',
      'app.kubernetes.io/part-of': 'trialhub',
      'trialhub.io/installation': 'prod-eu',
      'trialhub.io/trial': spec.trialId,
      'trialhub.io/session': spec.sessionId,
      'trialhub.io/user': spec.userId,
      'trialhub.io/component': 'session',
    });
    expect(buildWorkspaceClaim({ ...spec, storage: '10Gi' }, ctx).metadata!.labels).toMatchObject({ 'trialhub.io/component': 'workspace', 'trialhub.io/trial': spec.trialId });
    expect(managedSelector('prod-eu', 'session')).toBe('app.kubernetes.io/managed-by=trialhub,trialhub.io/installation=prod-eu,trialhub.io/component=session');
  });

  it('builds the workspace claim: ReadWriteOnce, the requested size, the storage class only when configured', () => {
    const claim = buildWorkspaceClaim({ ...spec, storage: '20Gi' }, ctx);
    expect(claim.spec).toEqual({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '20Gi' } } });
    expect(buildWorkspaceClaim({ ...spec, storage: '20Gi' }, { ...ctx, storageClassName: 'fast-ssd' }).spec!.storageClassName).toBe('fast-ssd');
  });

  it('keeps both tokens in the Secret, base64-encoded', () => {
    const secret = buildSessionSecret(spec, ctx);
    expect(Buffer.from(secret.data!['jupyter-token'], 'base64').toString()).toBe(spec.jupyterToken);
    expect(Buffer.from(secret.data!['upload-token'], 'base64').toString()).toBe(spec.uploadToken);
  });

  it('runs the profile image with resources, GPU limit, node selector and tolerations from the profile', () => {
    const pod = buildSessionPod(spec, ctx);
    const [c] = pod.spec!.containers;
    expect(pod.spec!.containers).toHaveLength(1);
    expect(c.name).toBe('notebook');
    expect(c.image).toBe(spec.profile.image);
    expect(c.command).toBeUndefined();
    expect(c.ports).toEqual([{ name: 'jupyter', containerPort: 8888, protocol: 'TCP' }]);
    expect(c.resources).toEqual({ requests: { cpu: '2', memory: '8Gi' }, limits: { cpu: '4', memory: '16Gi', 'nvidia.com/gpu': '1' } });
    expect(pod.spec!.nodeSelector).toEqual({ 'kubernetes.io/arch': 'ppc64le' });
    expect(pod.spec!.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);

    const cpu = buildSessionPod({ ...spec, profile: { ...spec.profile, gpus: 0, nodeSelector: {}, tolerations: [] } }, ctx);
    expect(cpu.spec!.containers[0].resources!.limits).not.toHaveProperty('nvidia.com/gpu');
    expect(cpu.spec!.nodeSelector).toBeUndefined();
    expect(cpu.spec!.tolerations).toBeUndefined();
  });

  it('runs the pod under the profile\'s RuntimeClass (a sandbox such as gVisor or Kata) only when the profile names one', () => {
    expect(buildSessionPod(spec, ctx).spec!.runtimeClassName).toBeUndefined();
    expect(buildSessionPod({ ...spec, profile: { ...spec.profile, runtimeClassName: null } }, ctx).spec).not.toHaveProperty('runtimeClassName');
    const sandboxed = buildSessionPod({ ...spec, profile: { ...spec.profile, runtimeClassName: 'kata' } }, ctx);
    expect(sandboxed.spec!.runtimeClassName).toBe('kata');
    expect(() => new Pod(sandboxed as never).validate()).not.toThrow();
    expect(checkRestrictedPodSecurity(sandboxed)).toEqual([]);
  });

  it('passes tokens through secretKeyRefs and the URLs as plain values', () => {
    const env = buildSessionPod(spec, ctx).spec!.containers[0].env!;
    const byName = Object.fromEntries(env.map((e) => [e.name, e]));
    expect(byName.JUPYTER_TOKEN.valueFrom).toEqual({ secretKeyRef: { name: `trialhub-s-${spec.sessionId}`, key: 'jupyter-token' } });
    expect(byName.TRIALHUB_UPLOAD_TOKEN.valueFrom).toEqual({ secretKeyRef: { name: `trialhub-s-${spec.sessionId}`, key: 'upload-token' } });
    expect(byName.TRIALHUB_UPLOAD_URL.value).toBe(spec.uploadUrl);
    expect(byName.TRIALHUB_BASE_URL.value).toBe(spec.baseUrl);
    expect(byName.TRIALHUB_SESSION_ID.value).toBe(spec.sessionId);
    expect(JSON.stringify(env)).not.toContain(spec.jupyterToken);
  });

  it('locks the pod down: restricted security context, no service account token, no service links', () => {
    const pod = buildSessionPod(spec, ctx);
    expect(pod.spec!.automountServiceAccountToken).toBe(false);
    expect(pod.spec!.enableServiceLinks).toBe(false);
    expect(pod.spec!.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.spec!.containers[0].securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(checkRestrictedPodSecurity(pod)).toEqual([]);
  });

  it('probes Jupyter under the base URL, saves outputs before stopping, and restarts crashes so they show as CrashLoopBackOff', () => {
    const pod = buildSessionPod(spec, { ...ctx, terminationGracePeriodSeconds: 90 });
    const [c] = pod.spec!.containers;
    expect(c.readinessProbe!.httpGet).toEqual({ path: `/notebook/${spec.sessionId}/api`, port: 8888 });
    expect(c.lifecycle!.preStop!.exec!.command).toEqual(['/opt/trialhub/bin/trialhub-save']);
    expect(pod.spec!.terminationGracePeriodSeconds).toBe(90);
    expect(buildSessionPod(spec, ctx).spec!.terminationGracePeriodSeconds).toBe(60);
    expect(pod.spec!.restartPolicy).toBe('Always');
  });

  it('carries the notebook\'s link back to its session page and its log-out removal (notebook-ui.ts) for start-notebook to write', () => {
    const env = buildSessionPod(spec, ctx).spec!.containers[0].env!;
    const value = env.find((e) => e.name === 'TRIALHUB_NOTEBOOK_UI')?.value;
    expect(value).toMatch(/^[A-Za-z0-9+/]+=*$/);
    const files = JSON.parse(Buffer.from(value!, 'base64').toString('utf8'));
    expect(files).toEqual(notebookUiFiles(`https://trialhub.example/sessions/${spec.sessionId}`));
    expect(files['custom/custom.js']).toContain(`"https://trialhub.example/sessions/${spec.sessionId}"`);
  });

  it('mounts the trial workspace at /data and an emptyDir at /tmp', () => {
    const pod = buildSessionPod(spec, ctx);
    expect(pod.spec!.containers[0].volumeMounts).toEqual([{ name: 'workspace', mountPath: '/data' }, { name: 'tmp', mountPath: '/tmp' }]);
    expect(pod.spec!.volumes).toEqual([
      { name: 'workspace', persistentVolumeClaim: { claimName: `trialhub-ws-${spec.trialId}` } },
      { name: 'tmp', emptyDir: {} },
    ]);
  });

  it('sets activeDeadlineSeconds to the whole seconds the trial has left, at least 1', () => {
    const now = new Date('2030-01-01T00:00:00Z');
    expect(buildSessionPod({ ...spec, trialExpiresAt: new Date(now.getTime() + 3600_500) }, { ...ctx, now }).spec!.activeDeadlineSeconds).toBe(3600);
    expect(secondsLeft(new Date(now.getTime() - 5000), now)).toBe(1);
    expect(secondsLeft(new Date(now.getTime() + 999), now)).toBe(1);
  });

  it('points the Service at exactly this session\'s pod and makes it depend on the pod', () => {
    const svc = buildSessionService(spec, ctx, createdPod);
    const pod = buildSessionPod(spec, ctx);
    expect(svc.spec!.type).toBe('ClusterIP');
    expect(svc.spec!.ports).toEqual([{ name: 'jupyter', port: 8888, targetPort: 8888, protocol: 'TCP' }]);
    for (const [k, v] of Object.entries(svc.spec!.selector!)) expect(pod.metadata!.labels![k]).toBe(v);
    expect(svc.spec!.selector!['trialhub.io/session']).toBe(spec.sessionId);
    expect(svc.metadata!.ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'Pod', name: createdPod.metadata.name, uid: createdPod.metadata.uid }]);
    expect(() => ownerReferenceTo({ metadata: { name: 'x' } })).toThrow(/uid/);
  });
});
