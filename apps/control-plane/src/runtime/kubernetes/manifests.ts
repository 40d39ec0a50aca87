import type { V1OwnerReference, V1PersistentVolumeClaim, V1Pod, V1Secret, V1Service, V1Toleration } from '@kubernetes/client-node';
import { notebookUiFiles } from '../notebook-ui';
import type { SessionSpec, WorkspaceSpec } from '../session-runtime';
import { sessionLabels, sessionSelector, workspaceLabels } from './labels';
import { sessionObjectName, workspaceClaimName } from './names';

/**
 * Pure builders for every object the driver creates. They take everything they need as
 * arguments (including the clock), so they are tested without a cluster.
 */
export interface ManifestContext {
  namespace: string;
  installationId: string;
}

export interface WorkspaceClaimOptions extends ManifestContext {
  storageClassName?: string;
}

export interface SessionPodOptions extends ManifestContext {
  /** Seconds the preStop hook gets to upload /data outputs before the kubelet kills the notebook. */
  terminationGracePeriodSeconds?: number;
  /** The clock used for activeDeadlineSeconds; defaults to now. */
  now?: Date;
}

export const NOTEBOOK_CONTAINER = 'notebook';
export const NOTEBOOK_PORT = 8888;
export const WORKSPACE_MOUNT = '/data';
export const SAVE_OUTPUTS_COMMAND = ['/opt/trialhub/bin/trialhub-save'];
export const SECRET_KEYS = { jupyterToken: 'jupyter-token', uploadToken: 'upload-token' } as const;
export const DEFAULT_TERMINATION_GRACE_SECONDS = 60;
export const NOTEBOOK_UID = 1000;
/** The files of notebook-ui.ts (base64 of a JSON object, path under Jupyter's config folder → text); the image's start-notebook writes them. */
export const NOTEBOOK_UI_ENV = 'TRIALHUB_NOTEBOOK_UI';

export function notebookUiValue(sessionPageUrl: string): string {
  return Buffer.from(JSON.stringify(notebookUiFiles(sessionPageUrl))).toString('base64');
}

export function buildWorkspaceClaim(spec: WorkspaceSpec, opts: WorkspaceClaimOptions): V1PersistentVolumeClaim {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: workspaceClaimName(spec.trialId), namespace: opts.namespace, labels: workspaceLabels(opts.installationId, spec) },
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: spec.storage } },
      ...(opts.storageClassName ? { storageClassName: opts.storageClassName } : {}),
    },
  };
}

export function buildSessionSecret(spec: SessionSpec, ctx: ManifestContext): V1Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: sessionObjectName(spec.sessionId), namespace: ctx.namespace, labels: sessionLabels(ctx.installationId, spec) },
    type: 'Opaque',
    data: secretData(spec),
  };
}

/** The Secret's `data` (base64), also used to tell whether an existing Secret holds this generation's tokens. */
export function secretData(spec: Pick<SessionSpec, 'jupyterToken' | 'uploadToken'>): Record<string, string> {
  return {
    [SECRET_KEYS.jupyterToken]: Buffer.from(spec.jupyterToken).toString('base64'),
    [SECRET_KEYS.uploadToken]: Buffer.from(spec.uploadToken).toString('base64'),
  };
}

/** Whole seconds until the trial ends, at least 1 (0 is not a valid activeDeadlineSeconds). */
export function secondsLeft(expiresAt: Date, now: Date): number {
  return Math.max(1, Math.floor((expiresAt.getTime() - now.getTime()) / 1000));
}

export function buildSessionPod(spec: SessionSpec, opts: SessionPodOptions): V1Pod {
  const name = sessionObjectName(spec.sessionId);
  const { profile } = spec;
  const limits: Record<string, string> = { cpu: profile.cpuLimit, memory: profile.memoryLimit };
  if (profile.gpus > 0) limits['nvidia.com/gpu'] = String(profile.gpus);
  const fromSecret = (key: string) => ({ secretKeyRef: { name, key } });
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: opts.namespace,
      labels: sessionLabels(opts.installationId, spec),
      annotations: { 'trialhub.io/profile': profile.name, 'trialhub.io/trial-expires-at': spec.trialExpiresAt.toISOString() },
    },
    spec: {
      // Always, so a crashing notebook is restarted and shows up as CrashLoopBackOff (with a restart
      // count) rather than a single terminated container that looks like a clean exit.
      restartPolicy: 'Always',
      // Kubernetes' own backstop: the pod cannot outlive the trial even if no control plane runs.
      activeDeadlineSeconds: secondsLeft(spec.backstopAt ?? spec.trialExpiresAt, opts.now ?? new Date()),
      terminationGracePeriodSeconds: opts.terminationGracePeriodSeconds ?? DEFAULT_TERMINATION_GRACE_SECONDS,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      securityContext: {
        runAsNonRoot: true,
        runAsUser: NOTEBOOK_UID,
        runAsGroup: NOTEBOOK_UID,
        fsGroup: NOTEBOOK_UID,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      ...(Object.keys(profile.nodeSelector ?? {}).length ? { nodeSelector: { ...profile.nodeSelector } } : {}),
      ...(profile.tolerations?.length ? { tolerations: profile.tolerations.map(toToleration) } : {}),
      // A sandboxed runtime (gVisor, Kata) between user code and the node's kernel, where the profile names one.
      ...(profile.runtimeClassName ? { runtimeClassName: profile.runtimeClassName } : {}),
      containers: [
        {
          name: NOTEBOOK_CONTAINER,
          image: profile.image,
          imagePullPolicy: 'IfNotPresent',
          // No command: the image's entrypoint starts Jupyter from these variables.
          env: [
            { name: 'JUPYTER_TOKEN', valueFrom: fromSecret(SECRET_KEYS.jupyterToken) },
            { name: 'TRIALHUB_UPLOAD_TOKEN', valueFrom: fromSecret(SECRET_KEYS.uploadToken) },
            { name: 'TRIALHUB_UPLOAD_URL', value: spec.uploadUrl },
            { name: 'TRIALHUB_BASE_URL', value: spec.baseUrl },
            { name: 'TRIALHUB_SESSION_ID', value: spec.sessionId },
            { name: NOTEBOOK_UI_ENV, value: notebookUiValue(spec.sessionPageUrl) },
          ],
          ports: [{ name: 'jupyter', containerPort: NOTEBOOK_PORT, protocol: 'TCP' }],
          resources: { requests: { cpu: profile.cpuRequest, memory: profile.memoryRequest }, limits },
          // Jupyter's /api answers without a token once the server is up.
          readinessProbe: {
            httpGet: { path: `${spec.baseUrl}api`, port: NOTEBOOK_PORT },
            initialDelaySeconds: 1,
            periodSeconds: 2,
            timeoutSeconds: 2,
            failureThreshold: 3,
          },
          lifecycle: { preStop: { exec: { command: [...SAVE_OUTPUTS_COMMAND] } } },
          securityContext: {
            allowPrivilegeEscalation: false,
            privileged: false,
            runAsNonRoot: true,
            capabilities: { drop: ['ALL'] },
          },
          volumeMounts: [
            { name: 'workspace', mountPath: WORKSPACE_MOUNT },
            { name: 'tmp', mountPath: '/tmp' },
          ],
          workingDir: WORKSPACE_MOUNT,
        },
      ],
      volumes: [
        { name: 'workspace', persistentVolumeClaim: { claimName: workspaceClaimName(spec.trialId) } },
        { name: 'tmp', emptyDir: {} },
      ],
    },
  };
}

function toToleration(t: SessionSpec['profile']['tolerations'][number]): V1Toleration {
  const toleration: V1Toleration = { key: t.key, operator: t.operator ?? (t.value === undefined ? 'Exists' : 'Equal') };
  if (t.value !== undefined && toleration.operator === 'Equal') toleration.value = t.value;
  if (t.effect) toleration.effect = t.effect;
  return toleration;
}

/** Owner reference to a created pod, so the garbage collector removes dependants with it. */
export function ownerReferenceTo(pod: { metadata?: { name?: string; uid?: string } }): V1OwnerReference {
  if (!pod.metadata?.name || !pod.metadata.uid) throw new Error('An owner reference needs the pod as the API server returned it (with name and uid)');
  return { apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name, uid: pod.metadata.uid };
}

export function buildSessionService(spec: SessionSpec, ctx: ManifestContext, owner: { metadata?: { name?: string; uid?: string } }): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: sessionObjectName(spec.sessionId),
      namespace: ctx.namespace,
      labels: sessionLabels(ctx.installationId, spec),
      ownerReferences: [ownerReferenceTo(owner)],
    },
    spec: {
      type: 'ClusterIP',
      selector: sessionSelector(ctx.installationId, spec.sessionId),
      ports: [{ name: 'jupyter', port: NOTEBOOK_PORT, targetPort: NOTEBOOK_PORT, protocol: 'TCP' }],
    },
  };
}
