/**
 * Validation of rendered objects against the official Kubernetes OpenAPI schemas, through the
 * `kubernetes-models` classes (one module per API group and version, one class per kind).
 */
export interface ValidatableModel {
  validate(): void;
}

type ModelClass = new (data: object) => ValidatableModel;

/** kubernetes-models' module for an apiVersion: `v1` → kubernetes-models/v1, `apps/v1` → kubernetes-models/apps/v1. */
export function modelModuleFor(apiVersion: string): string {
  return `kubernetes-models/${apiVersion}`;
}

export function modelClassFor(apiVersion: string, kind: string): ModelClass {
  let mod: Record<string, unknown>;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require(modelModuleFor(apiVersion));
  } catch {
    throw new Error(`kubernetes-models has no schemas for apiVersion ${apiVersion} (kind ${kind}); is it a custom resource or a removed API version?`);
  }
  const cls = mod[kind];
  if (typeof cls !== 'function') throw new Error(`kubernetes-models has no kind ${kind} in apiVersion ${apiVersion}`);
  return cls as ModelClass;
}

/** The schema problems of one object, or an empty string when it is valid. */
export function schemaProblems(object: { apiVersion: string; kind: string }): string {
  const Model = modelClassFor(object.apiVersion, object.kind);
  try {
    new Model(withUnwrappedBase64(object)).validate();
    return '';
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * Kustomize wraps long base64 values of generated Secrets over several lines; the API server's
 * base64 decoder (Go's encoding/base64) skips the line breaks, the schema's "byte" format does
 * not. Unwrapping them checks what the API server checks.
 */
function withUnwrappedBase64<T extends { kind: string }>(object: T): T {
  const data = (object as { data?: Record<string, string> }).data;
  if (object.kind !== 'Secret' || !data) return object;
  return { ...object, data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, v.replace(/[\r\n]/g, '')])) };
}
