import { apiVersionOf, type ResourceInfo } from './resources';
import { badRequest, invalid, type StatusCause } from './status';

/**
 * What the real API server checks before it stores an object: the official OpenAPI schema
 * (via kubernetes-models' `validate()`), plus the cheap rules the schema cannot express
 * (name formats, label syntax, immutable fields).
 */
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

const SUBDOMAIN_MESSAGE =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MESSAGE =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035_MESSAGE =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const QUALIFIED_MESSAGE =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE_MESSAGE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

const quote = (v: unknown) => JSON.stringify(v);

function nameCauses(info: ResourceInfo, name: string, field: string): StatusCause[] {
  const [rule, message, max] =
    info.nameRule === 'label' ? [DNS1123_LABEL, LABEL_MESSAGE, 63] : info.nameRule === 'dns1035' ? [DNS1035_LABEL, DNS1035_MESSAGE, 63] : [DNS1123_SUBDOMAIN, SUBDOMAIN_MESSAGE, 253];
  const causes: StatusCause[] = [];
  if (name.length > max) causes.push({ reason: 'FieldValueInvalid', field, message: `Invalid value: ${quote(name)}: must be no more than ${max} characters` });
  if (!rule.test(name)) causes.push({ reason: 'FieldValueInvalid', field, message: `Invalid value: ${quote(name)}: ${message}` });
  return causes;
}

function labelCauses(labels: unknown, field: string): StatusCause[] {
  if (labels === undefined || labels === null) return [];
  const causes: StatusCause[] = [];
  for (const [key, value] of Object.entries(labels as Record<string, unknown>)) {
    const slash = key.lastIndexOf('/');
    const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
    const name = slash >= 0 ? key.slice(slash + 1) : key;
    if (prefix !== undefined && (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix)))
      causes.push({ reason: 'FieldValueInvalid', field, message: `Invalid value: ${quote(key)}: prefix part ${SUBDOMAIN_MESSAGE}` });
    if (name.length > 63 || !QUALIFIED_NAME.test(name)) causes.push({ reason: 'FieldValueInvalid', field, message: `Invalid value: ${quote(key)}: ${QUALIFIED_MESSAGE}` });
    if (typeof value !== 'string') continue; // the schema check reports non-string values
    if (value.length > 63) causes.push({ reason: 'FieldValueInvalid', field: `${field}`, message: `Invalid value: ${quote(value)}: must be no more than 63 characters` });
    else if (value !== '' && !QUALIFIED_NAME.test(value)) causes.push({ reason: 'FieldValueInvalid', field, message: `Invalid value: ${quote(value)}: ${LABEL_VALUE_MESSAGE}` });
  }
  return causes;
}

/** JSON pointer `/spec/containers/0/image` → the API server's field path `spec.containers[0].image`. */
function fieldPath(pointer: string): string {
  let path = '';
  for (const part of pointer.split('/').slice(1)) path += /^\d+$/.test(part) ? `[${part}]` : path ? `.${part}` : part;
  return path;
}

function schemaCauses(info: ResourceInfo, object: any): StatusCause[] {
  try {
    new info.model(object).validate();
    return [];
  } catch (error: any) {
    const errors: any[] = error?.errors ?? [];
    if (errors.length === 0) return [{ reason: 'FieldValueInvalid', message: String(error?.message ?? error) }];
    return errors.map((e) => {
      if (e.keyword === 'required') {
        const field = fieldPath(`${e.instancePath}/${e.params.missingProperty}`);
        return { reason: 'FieldValueRequired', field, message: 'Required value' };
      }
      const field = fieldPath(e.instancePath) || undefined;
      return { reason: e.keyword === 'enum' ? 'FieldValueNotSupported' : 'FieldValueInvalid', ...(field ? { field } : {}), message: `Invalid value: ${e.message}` };
    });
  }
}

function podCauses(pod: any): StatusCause[] {
  const causes: StatusCause[] = [];
  const seen = new Set<string>();
  const containers = Array.isArray(pod.spec?.containers) ? pod.spec.containers : [];
  if (pod.spec && containers.length === 0) causes.push({ reason: 'FieldValueRequired', field: 'spec.containers', message: 'Required value' });
  containers.forEach((c: any, i: number) => {
    if (typeof c?.name !== 'string') return;
    if (!DNS1123_LABEL.test(c.name)) causes.push({ reason: 'FieldValueInvalid', field: `spec.containers[${i}].name`, message: `Invalid value: ${quote(c.name)}: ${LABEL_MESSAGE}` });
    if (seen.has(c.name)) causes.push({ reason: 'FieldValueDuplicate', field: `spec.containers[${i}].name`, message: `Duplicate value: ${quote(c.name)}` });
    seen.add(c.name);
    if (!c.image) causes.push({ reason: 'FieldValueRequired', field: `spec.containers[${i}].image`, message: 'Required value' });
    for (const [resource, limit] of Object.entries(c.resources?.limits ?? {})) {
      const request = c.resources?.requests?.[resource];
      if (resource.includes('/') && !resource.startsWith('kubernetes.io/') && request !== undefined && String(request) !== String(limit))
        causes.push({ reason: 'FieldValueInvalid', field: `spec.containers[${i}].resources.requests`, message: `Invalid value: ${quote(String(request))}: must be equal to ${resource} limit of ${limit}` });
    }
  });
  const ads = pod.spec?.activeDeadlineSeconds;
  if (ads !== undefined && (typeof ads !== 'number' || ads < 1)) causes.push({ reason: 'FieldValueInvalid', field: 'spec.activeDeadlineSeconds', message: `Invalid value: ${ads}: must be between 1 and 2147483647, inclusive` });
  const policy = pod.spec?.restartPolicy;
  if (policy !== undefined && !['Always', 'OnFailure', 'Never'].includes(policy))
    causes.push({ reason: 'FieldValueNotSupported', field: 'spec.restartPolicy', message: `Unsupported value: ${quote(policy)}: supported values: "Always", "OnFailure", "Never"` });
  return causes;
}

/** Validates a whole object about to be stored; throws the API server's 422 (or 400 for a wrong kind). */
export function validateObject(info: ResourceInfo, object: any, namespace: string | undefined): void {
  if (object === null || typeof object !== 'object' || Array.isArray(object)) throw badRequest('the body of the request must be a JSON object');
  const apiVersion = apiVersionOf(info);
  if (object.apiVersion !== undefined && object.apiVersion !== apiVersion)
    throw badRequest(`the API version in the data (${object.apiVersion}) does not match the expected API version (${apiVersion})`);
  if (object.kind !== undefined && object.kind !== info.kind) throw badRequest(`the kind in the data (${object.kind}) does not match the expected kind (${info.kind})`);
  const metadata = object.metadata ?? {};
  if (namespace !== undefined && metadata.namespace !== undefined && metadata.namespace !== namespace)
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  const name: string = metadata.name ?? '';
  const causes: StatusCause[] = [];
  if (!name && !metadata.generateName) causes.push({ reason: 'FieldValueRequired', field: 'metadata.name', message: 'Required value: name or generateName is required' });
  if (name) causes.push(...nameCauses(info, name, 'metadata.name'));
  causes.push(...labelCauses(metadata.labels, 'metadata.labels'));
  causes.push(...schemaCauses(info, { ...object, apiVersion, kind: info.kind }));
  if (info.name === 'pods') causes.push(...podCauses(object));
  if (causes.length > 0) throw invalid(info.kind, name, causes);
}

/** Pod spec fields the real server lets an update change; everything else in `spec` is immutable. */
function mutablePodSpec(spec: any): any {
  const { activeDeadlineSeconds: _a, tolerations: _t, terminationGracePeriodSeconds: _g, nodeName: _n, ...rest } = spec ?? {};
  const strip = (list: any[] | undefined) => list?.map(({ image: _i, ...c }: any) => c);
  return { ...rest, containers: strip(rest.containers), initContainers: strip(rest.initContainers) };
}

const stable = (v: unknown): string => JSON.stringify(v, (_k, val) => (val && typeof val === 'object' && !Array.isArray(val) ? Object.fromEntries(Object.entries(val).sort(([a], [b]) => a.localeCompare(b))) : val));

/** Immutable-field rules on update (pods, claims). */
export function validateUpdate(info: ResourceInfo, before: any, after: any): void {
  const name = before.metadata.name;
  if (info.name === 'pods' && stable(mutablePodSpec(before.spec)) !== stable(mutablePodSpec(after.spec))) {
    throw invalid(info.kind, name, [
      {
        reason: 'FieldValueForbidden',
        field: 'spec',
        message:
          'Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
      },
    ]);
  }
  if (info.name === 'persistentvolumeclaims') {
    const strip = (s: any) => ({ ...s, resources: undefined, volumeName: undefined });
    if (stable(strip(before.spec)) !== stable(strip(after.spec)))
      throw invalid(info.kind, name, [{ reason: 'FieldValueForbidden', field: 'spec', message: 'Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims' }]);
  }
  if (info.name === 'services' && before.spec?.clusterIP && after.spec?.clusterIP !== undefined && after.spec.clusterIP !== before.spec.clusterIP)
    throw invalid(info.kind, name, [{ reason: 'FieldValueInvalid', field: 'spec.clusterIPs[0]', message: `Invalid value: ${quote(after.spec.clusterIP)}: may not change once set` }]);
}
