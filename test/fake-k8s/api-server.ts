import { randomUUID } from 'node:crypto';
import { defaultNamespace, defaultPod, defaultSecret, defaultService } from './defaults';
import { applyPatch } from './patch';
import { apiVersionOf, RESOURCES, type ResourceInfo } from './resources';
import { admitPodSecurity } from './pod-security-admission';
import { admitResourceQuota } from './resource-quota';
import { admitRuntimeClass } from './runtime-classes';
import { ApiError, alreadyExists, badRequest, conflict, failure, notFound } from './status';
import type { ObjectStore } from './store';
import { timestamp } from './time';
import { validateObject, validateUpdate } from './validation';

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  preconditions?: { uid?: string; resourceVersion?: string };
  /** The deprecated field, as sent: only an explicit `false` makes a pending deletion answer 202. */
  orphanDependents?: boolean;
}

/**
 * Finalizers the fake's own controllers resolve: the garbage collector's foreground deletion
 * (completed when the dependants are gone) and the protection of claims and volumes (released
 * when finalize() is called, i.e. when nothing uses them). Any other finalizer belongs to a
 * controller outside, and keeps the object, marked for deletion, until someone removes it.
 */
const RESOLVED_FINALIZERS = new Set(['foregroundDeletion', 'kubernetes.io/pvc-protection', 'kubernetes.io/pv-protection']);
const foreignFinalizers = (object: any): string[] => (object.metadata.finalizers ?? []).filter((f: string) => !RESOLVED_FINALIZERS.has(f));

export interface DeleteResult {
  object: any;
  /** true when the object is gone; false while graceful or foreground deletion is pending */
  finished: boolean;
}

const GENERATE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const randomSuffix = () => Array.from({ length: 5 }, () => GENERATE_ALPHABET[Math.floor(Math.random() * GENERATE_ALPHABET.length)]).join('');

export function resourceInfo(resource: string): ResourceInfo {
  const info = RESOURCES.get(resource);
  if (!info) throw new ApiError(failure(404, 'NotFound', 'the server could not find the requested resource', {}));
  return info;
}

const isTerminal = (pod: any) => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

/**
 * The API server's storage logic without HTTP: create (defaulting, generateName, validation),
 * update and patch (optimistic concurrency, immutable fields, status subresource), delete
 * (graceful for pods, foreground/orphan propagation, the claim-protection finalizer).
 */
export class ApiServer {
  constructor(readonly store: ObjectStore) {}

  get(resource: string, namespace: string, name: string): any {
    const object = this.store.get(resource, namespace, name);
    if (!object) throw notFound(resource, name);
    return object;
  }

  ensureNamespace(namespace: string): void {
    if (namespace && !this.store.get('namespaces', '', namespace)) this.create('namespaces', undefined, { metadata: { name: namespace } });
  }

  create(resource: string, namespace: string | undefined, body: any): any {
    const info = resourceInfo(resource);
    validateObject(info, body, namespace);
    const metadata = { ...body.metadata };
    if (!metadata.name) {
      do metadata.name = `${metadata.generateName}${randomSuffix()}`;
      while (this.store.get(resource, namespace ?? '', metadata.name));
    }
    if (info.namespaced) metadata.namespace = namespace;
    else delete metadata.namespace;
    if (this.store.get(resource, namespace ?? '', metadata.name)) throw alreadyExists(resource, metadata.name);
    if (namespace) this.ensureNamespace(namespace);
    delete metadata.resourceVersion;
    delete metadata.deletionTimestamp;
    delete metadata.deletionGracePeriodSeconds;
    Object.assign(metadata, { uid: randomUUID(), creationTimestamp: timestamp(), generation: 1 });
    let object: any = { apiVersion: apiVersionOf(info), kind: info.kind, ...body, metadata };
    // Admission: the RuntimeClass plugin refuses a pod naming a missing class and merges in the class's scheduling.
    if (resource === 'pods') {
      object = defaultPod(admitRuntimeClass(this.store, object));
      // Validating admission, in the real server's order: PodSecurity, then ResourceQuota last.
      admitPodSecurity(this.store, object);
      admitResourceQuota(this.store, object);
    }
    if (resource === 'services') object = defaultService(object);
    if (resource === 'secrets') object = defaultSecret(object);
    if (resource === 'namespaces') object = defaultNamespace(object);
    if (resource === 'persistentvolumeclaims') return this.bindClaim(object);
    return this.store.put(resource, object);
  }

  /** Dynamic provisioning, done at once: a PersistentVolume sized like the request, and the claim Bound to it. */
  private bindClaim(claim: any): any {
    const pvName = `pvc-${claim.metadata.uid}`;
    const storageClassName = claim.spec.storageClassName ?? 'standard';
    const capacity = { storage: claim.spec.resources?.requests?.storage ?? '1Gi' };
    this.store.put('persistentvolumes', {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: pvName, uid: randomUUID(), creationTimestamp: timestamp(), annotations: { 'pv.kubernetes.io/provisioned-by': 'fake.k8s.io/hostpath' }, finalizers: ['kubernetes.io/pv-protection'] },
      spec: {
        capacity,
        accessModes: claim.spec.accessModes ?? ['ReadWriteOnce'],
        claimRef: { kind: 'PersistentVolumeClaim', namespace: claim.metadata.namespace, name: claim.metadata.name, uid: claim.metadata.uid, apiVersion: 'v1' },
        persistentVolumeReclaimPolicy: 'Delete',
        storageClassName,
        volumeMode: claim.spec.volumeMode ?? 'Filesystem',
        hostPath: { path: `/var/lib/fake-k8s/${pvName}`, type: '' },
      },
      status: { phase: 'Bound' },
    });
    return this.store.put('persistentvolumeclaims', {
      ...claim,
      metadata: { ...claim.metadata, annotations: { ...(claim.metadata.annotations ?? {}), 'pv.kubernetes.io/bind-completed': 'yes', 'pv.kubernetes.io/bound-by-controller': 'yes' }, finalizers: [...new Set([...(claim.metadata.finalizers ?? []), 'kubernetes.io/pvc-protection'])] },
      spec: { volumeMode: 'Filesystem', ...claim.spec, storageClassName, volumeName: pvName },
      status: { phase: 'Bound', accessModes: claim.spec.accessModes ?? ['ReadWriteOnce'], capacity },
    });
  }

  /** PUT: replaces the object (or only its status through the `status` subresource). */
  replace(resource: string, namespace: string, name: string, body: any, subresource?: string): any {
    const info = resourceInfo(resource);
    const current = this.get(resource, namespace, name);
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest('the body of the request must be a JSON object');
    const bodyName = body.metadata?.name;
    if (bodyName !== undefined && bodyName !== name) throw badRequest(`the name of the object (${bodyName}) does not match the name on the URL (${name})`);
    const sentVersion = body.metadata?.resourceVersion;
    if (sentVersion !== undefined && sentVersion !== '' && sentVersion !== current.metadata.resourceVersion) throw conflict(resource, name);
    let next: any;
    if (subresource === 'status') next = { ...current, status: body.status };
    else {
      const serverOwned = { uid: current.metadata.uid, creationTimestamp: current.metadata.creationTimestamp, generation: current.metadata.generation, namespace: current.metadata.namespace };
      const deletion = current.metadata.deletionTimestamp ? { deletionTimestamp: current.metadata.deletionTimestamp, deletionGracePeriodSeconds: current.metadata.deletionGracePeriodSeconds } : {};
      next = { apiVersion: apiVersionOf(info), kind: info.kind, ...body, metadata: { ...body.metadata, name, ...serverOwned, ...deletion }, ...('status' in current ? { status: current.status } : {}) };
      if (!info.namespaced) delete next.metadata.namespace;
      if (resource === 'services' && next.spec && !next.spec.clusterIP) next.spec = { ...next.spec, clusterIP: current.spec.clusterIP, clusterIPs: current.spec.clusterIPs };
      if (resource === 'secrets') next = defaultSecret(next);
      if (JSON.stringify(next.spec) !== JSON.stringify(current.spec)) next.metadata.generation = (current.metadata.generation ?? 1) + 1;
    }
    validateObject(info, next, info.namespaced ? namespace : undefined);
    validateUpdate(info, current, next);
    // Removing the last finalizer of an object marked for deletion completes the deletion.
    if (current.metadata.deletionTimestamp && foreignFinalizers(current).length > 0 && foreignFinalizers(next).length === 0) {
      const stored = this.store.put(resource, next);
      return this.finalize(resource, namespace, name) ?? stored;
    }
    return this.store.put(resource, next);
  }

  patch(resource: string, namespace: string, name: string, contentType: string, patch: any, subresource?: string): any {
    const current = this.get(resource, namespace, name);
    const patched = applyPatch(contentType, current, patch);
    if (subresource === 'status') return this.replace(resource, namespace, name, { ...current, status: patched?.status }, 'status');
    return this.replace(resource, namespace, name, patched);
  }

  delete(resource: string, namespace: string, name: string, options: DeleteOptions = {}): DeleteResult {
    const current = this.get(resource, namespace, name);
    const pre = options.preconditions;
    if (pre?.uid && pre.uid !== current.metadata.uid)
      throw new ApiError(failure(409, 'Conflict', `Operation cannot be fulfilled on ${resource} "${name}": Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid}`, { name, kind: resource }));
    if (pre?.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion)
      throw new ApiError(failure(409, 'Conflict', `Operation cannot be fulfilled on ${resource} "${name}": Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in meta: ${current.metadata.resourceVersion}`, { name, kind: resource }));

    if (options.propagationPolicy === 'Orphan') this.orphanDependants(current);
    if (options.propagationPolicy === 'Foreground' && this.store.dependantsOf(current.metadata.uid).length > 0) return { object: this.startForeground(resource, current), finished: false };
    if (resource === 'namespaces') return { object: this.deleteNamespace(current), finished: true };
    if (resource === 'persistentvolumeclaims' && this.claimInUse(current)) return { object: this.markDeleting(resource, current, 0, 'kubernetes.io/pvc-protection'), finished: false };
    if (resource === 'pods') return this.deletePod(current, options.gracePeriodSeconds);
    const object = this.finalize(resource, namespace, name);
    return { object, finished: !this.store.get(resource, namespace, name) };
  }

  /** Pods go gracefully: deletionTimestamp now + grace; the kubelet stops the containers and removes the pod. */
  private deletePod(pod: any, requestedGrace: number | undefined): DeleteResult {
    const grace = requestedGrace ?? pod.spec.terminationGracePeriodSeconds ?? 30;
    const { namespace, name } = pod.metadata;
    if (grace <= 0 || !pod.spec.nodeName || isTerminal(pod)) {
      const removed = this.finalize('pods', namespace, name);
      return { object: removed, finished: !this.store.get('pods', namespace, name) };
    }
    const pending = pod.metadata.deletionGracePeriodSeconds;
    if (pod.metadata.deletionTimestamp && pending !== undefined && pending <= grace) return { object: pod, finished: false };
    return { object: this.markDeleting('pods', pod, grace), finished: false };
  }

  private markDeleting(resource: string, object: any, graceSeconds: number, finalizer?: string): any {
    const finalizers = [...(object.metadata.finalizers ?? [])];
    if (finalizer && !finalizers.includes(finalizer)) finalizers.push(finalizer);
    return this.store.put(resource, {
      ...object,
      metadata: {
        ...object.metadata,
        deletionTimestamp: timestamp(Date.now() + graceSeconds * 1000),
        deletionGracePeriodSeconds: graceSeconds,
        ...(finalizers.length > 0 ? { finalizers } : {}),
        generation: (object.metadata.generation ?? 1) + (object.metadata.deletionTimestamp ? 0 : 1),
      },
    });
  }

  private startForeground(resource: string, owner: any): any {
    const marked = this.markDeleting(resource, owner, 0, 'foregroundDeletion');
    for (const { resource: r, object } of this.store.dependantsOf(owner.metadata.uid)) {
      if (!object.metadata.deletionTimestamp) this.delete(r, object.metadata.namespace ?? '', object.metadata.name, { propagationPolicy: 'Foreground' });
    }
    return marked;
  }

  private orphanDependants(owner: any): void {
    for (const { resource, object } of this.store.dependantsOf(owner.metadata.uid)) {
      const ownerReferences = object.metadata.ownerReferences.filter((ref: any) => ref.uid !== owner.metadata.uid);
      const metadata = { ...object.metadata, ownerReferences };
      if (ownerReferences.length === 0) delete metadata.ownerReferences;
      this.store.put(resource, { ...object, metadata });
    }
  }

  /** Namespace deletion, simplified: its objects go at once, then the namespace. */
  private deleteNamespace(ns: any): any {
    const name = ns.metadata.name;
    for (const r of RESOURCES.values()) {
      if (!r.namespaced) continue;
      for (const object of this.store.list(r.name, name)) {
        if (r.name === 'persistentvolumeclaims') this.releaseVolume(object);
        this.store.remove(r.name, name, object.metadata.name);
      }
    }
    return this.store.remove('namespaces', '', name);
  }

  claimInUse(claim: any): boolean {
    return this.store
      .list('pods', claim.metadata.namespace)
      .some((pod) => (pod.spec.volumes ?? []).some((v: any) => v.persistentVolumeClaim?.claimName === claim.metadata.name));
  }

  /** The reclaim policy Delete: the bound volume goes with its claim. */
  releaseVolume(claim: any): void {
    if (claim.spec?.volumeName) this.store.remove('persistentvolumes', '', claim.spec.volumeName);
  }

  /**
   * Removes an object for good (grace period over); a foreground deletion waits for its
   * dependants, and a finalizer of someone else's keeps the object, marked for deletion.
   */
  finalize(resource: string, namespace: string, name: string): any {
    const object = this.store.get(resource, namespace, name);
    if (!object) return undefined;
    if (object.metadata.finalizers?.includes('foregroundDeletion') && this.store.dependantsOf(object.metadata.uid).length > 0) return object;
    if (foreignFinalizers(object).length > 0) return object.metadata.deletionTimestamp ? object : this.markDeleting(resource, object, 0);
    if (resource === 'persistentvolumeclaims') this.releaseVolume(object);
    return this.store.remove(resource, namespace, name);
  }

  /** Controllers' writes (scheduler, kubelet): a new version of a stored object, without admission. */
  mutate(resource: string, namespace: string, name: string, change: (object: any) => any): any | undefined {
    const current = this.store.get(resource, namespace, name);
    if (!current) return undefined;
    return this.store.put(resource, change(structuredClone(current)));
  }
}
