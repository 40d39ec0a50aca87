import type { ApiServer } from './api-server';
import { RESOURCES } from './resources';
import type { Change, ObjectStore } from './store';

const RESOURCE_OF_KIND = new Map([...RESOURCES.values()].map((r) => [r.kind, r]));

/**
 * The controllers that finish deletions, run after every DELETED change (asynchronously, as
 * the real controllers do): the owner-reference garbage collector (background cascade,
 * foreground completion) and the claim-protection controller that releases a claim once no
 * pod uses it.
 */
export class GarbageCollector {
  constructor(private readonly store: ObjectStore, private readonly api: ApiServer) {
    store.onChange((change) => {
      if (change.type === 'DELETED') setImmediate(() => this.afterDelete(change));
    });
  }

  private afterDelete(change: Change): void {
    const gone = change.object;
    this.collectDependants(gone);
    this.finishForegroundOwners(gone);
    if (change.resource === 'pods') this.releaseProtectedClaims(gone.metadata.namespace);
  }

  private ownerExists(ref: any, namespace: string | undefined): boolean {
    const info = RESOURCE_OF_KIND.get(ref.kind);
    if (!info) return false;
    return this.store.get(info.name, info.namespaced ? (namespace ?? '') : '', ref.name)?.metadata.uid === ref.uid;
  }

  private collectDependants(owner: any): void {
    for (const { resource, object } of this.store.dependantsOf(owner.metadata.uid)) {
      const { namespace, name } = object.metadata;
      const remaining = (object.metadata.ownerReferences ?? []).filter((ref: any) => ref.uid !== owner.metadata.uid && this.ownerExists(ref, namespace));
      if (remaining.length > 0) {
        this.api.mutate(resource, namespace ?? '', name, (o) => ({ ...o, metadata: { ...o.metadata, ownerReferences: remaining } }));
      } else if (!object.metadata.deletionTimestamp) {
        try {
          this.api.delete(resource, namespace ?? '', name, { propagationPolicy: 'Background' });
        } catch {
          // already gone: nothing to collect
        }
      }
    }
  }

  private finishForegroundOwners(dependant: any): void {
    for (const ref of dependant.metadata.ownerReferences ?? []) {
      const info = RESOURCE_OF_KIND.get(ref.kind);
      if (!info) continue;
      const namespace = info.namespaced ? (dependant.metadata.namespace ?? '') : '';
      const owner = this.store.get(info.name, namespace, ref.name);
      if (!owner || owner.metadata.uid !== ref.uid || !owner.metadata.finalizers?.includes('foregroundDeletion')) continue;
      if (this.store.dependantsOf(owner.metadata.uid).length > 0) continue;
      const finalizers = owner.metadata.finalizers.filter((f: string) => f !== 'foregroundDeletion');
      // Simplification: the owner goes as soon as its last dependant has, even a pod whose kubelet is still stopping it.
      this.api.mutate(info.name, namespace, ref.name, (o) => ({ ...o, metadata: { ...o.metadata, finalizers: finalizers.length ? finalizers : undefined } }));
      this.api.finalize(info.name, namespace, ref.name);
    }
  }

  private releaseProtectedClaims(namespace: string): void {
    for (const claim of this.store.list('persistentvolumeclaims', namespace)) {
      if (claim.metadata.deletionTimestamp && !this.api.claimInUse(claim)) this.api.finalize('persistentvolumeclaims', namespace, claim.metadata.name);
    }
  }
}
