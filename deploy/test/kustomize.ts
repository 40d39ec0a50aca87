import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

/** A rendered Kubernetes object, as plain data (kubectl's YAML parsed). */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: any;
}

export const KUSTOMIZE_ROOT = resolve(__dirname, '../kubernetes');
export const OVERLAYS: readonly string[] = readdirSync(join(KUSTOMIZE_ROOT, 'overlays')).sort();

/** Fails with what to do when kubectl is missing, rather than letting the tests skip. */
export function requireKubectl(): void {
  const probe = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      'kubectl is needed to render the Kustomize overlays and was not found or does not run ' +
        `(${probe.error?.message ?? probe.stderr.trim()}). Install it: apt-get install -y kubernetes-client (.ci/run does).`,
    );
  }
}

const cache = new Map<string, KubeObject[]>();

/** `kubectl kustomize deploy/kubernetes/overlays/<name>`, parsed; rendered once per test file. */
export function renderOverlay(name: string): KubeObject[] {
  const cached = cache.get(name);
  if (cached) return cached;
  requireKubectl();
  const dir = join(KUSTOMIZE_ROOT, 'overlays', name);
  const run = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`kubectl kustomize ${dir} failed:\n${run.stderr}`);
  // A plain YAML parser: the Kubernetes client's loader turns objects into its classes, which
  // renames fields (`from` becomes `_from`) and drops unknown ones, hiding mistakes.
  const objects = parseAllDocuments(run.stdout).map((doc) => {
    if (doc.errors.length) throw new Error(`kubectl kustomize ${dir} printed YAML that does not parse: ${doc.errors[0].message}`);
    return doc.toJS() as KubeObject;
  }).filter(Boolean);
  cache.set(name, objects);
  return objects;
}

export function findAll(objects: KubeObject[], kind: string): KubeObject[] {
  return objects.filter((o) => o.kind === kind);
}

export function findOne(objects: KubeObject[], kind: string, name?: string): KubeObject {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (found.length !== 1) throw new Error(`Expected one ${kind}${name ? ` named ${name}` : ''}, found ${found.length}`);
  return found[0];
}

/** Generated ConfigMaps and Secrets carry a content hash suffix; this finds them by their base name. */
export function findGenerated(objects: KubeObject[], kind: 'ConfigMap' | 'Secret', baseName: string): KubeObject | undefined {
  return objects.find((o) => o.kind === kind && (o.metadata.name === baseName || new RegExp(`^${baseName}-[a-z0-9]{10}$`).test(o.metadata.name)));
}

/** Every pod template (or pod) in the rendered objects, with where it came from. */
export function podTemplates(objects: KubeObject[]): Array<{ owner: string; namespace?: string; metadata: any; spec: any }> {
  const out: Array<{ owner: string; namespace?: string; metadata: any; spec: any }> = [];
  for (const o of objects) {
    if (['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job'].includes(o.kind)) {
      out.push({ owner: `${o.kind} ${o.metadata.name}`, namespace: o.metadata.namespace, metadata: o.spec.template.metadata ?? {}, spec: o.spec.template.spec });
    } else if (o.kind === 'CronJob') {
      out.push({ owner: `CronJob ${o.metadata.name}`, namespace: o.metadata.namespace, metadata: o.spec.jobTemplate.spec.template.metadata ?? {}, spec: o.spec.jobTemplate.spec.template.spec });
    } else if (o.kind === 'Pod') {
      out.push({ owner: `Pod ${o.metadata.name}`, namespace: o.metadata.namespace, metadata: o.metadata, spec: o.spec });
    }
  }
  return out;
}

export function labelsMatch(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  return Object.entries(selector ?? {}).every(([k, v]) => labels?.[k] === v);
}
