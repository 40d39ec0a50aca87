import { badRequest, failure, ApiError, unsupportedMediaType } from './status';

/**
 * The three patch formats the real server accepts for built-in types. Strategic merge patch is
 * treated as a JSON merge patch (RFC 7386): maps merge, `null` deletes, lists are replaced.
 * The real one merges some lists by key (containers by name, env by name, ...) — the fake does not.
 */
export function mergePatch(target: any, patch: any): any {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const result: any = target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch' || key.startsWith('$setElementOrder') || key.startsWith('$deleteFromPrimitiveList') || key === '$retainKeys') continue;
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

const unescape = (token: string) => token.replace(/~1/g, '/').replace(/~0/g, '~');

function parsePointer(path: unknown): string[] {
  if (typeof path !== 'string' || (path !== '' && !path.startsWith('/'))) throw badRequest(`invalid JSON patch path ${JSON.stringify(path)}`);
  return path === '' ? [] : path.slice(1).split('/').map(unescape);
}

function parentOf(doc: any, tokens: string[], op: string, path: string): any {
  let node = doc;
  for (const token of tokens.slice(0, -1)) {
    node = Array.isArray(node) ? node[Number(token)] : node?.[token];
    if (node === undefined || node === null || typeof node !== 'object') throw unprocessable(`doc is missing path: "${path}": missing value`, op);
  }
  return node;
}

const unprocessable = (message: string, _op: string) => new ApiError(failure(422, 'Invalid', message));

function get(doc: any, path: string): any {
  let node = doc;
  for (const token of parsePointer(path)) {
    node = Array.isArray(node) ? node[Number(token)] : node?.[token];
    if (node === undefined) throw unprocessable(`doc is missing path: "${path}": missing value`, 'get');
  }
  return node;
}

function remove(doc: any, path: string): any {
  const tokens = parsePointer(path);
  const parent = parentOf(doc, tokens, 'remove', path);
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) {
    const index = Number(last);
    if (!(index >= 0 && index < parent.length)) throw unprocessable(`unable to remove nonexistent key: ${last}: missing value`, 'remove');
    return parent.splice(index, 1)[0];
  }
  if (!(last in parent)) throw unprocessable(`unable to remove nonexistent key: ${last}: missing value`, 'remove');
  const value = parent[last];
  delete parent[last];
  return value;
}

function add(doc: any, path: string, value: any, replace: boolean): any {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return value;
  const parent = parentOf(doc, tokens, replace ? 'replace' : 'add', path);
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : Number(last);
    if (!(index >= 0 && index <= parent.length)) throw unprocessable(`add operation does not apply: doc is missing path: "${path}": missing value`, 'add');
    if (replace) parent[index] = value;
    else parent.splice(index, 0, value);
  } else {
    if (replace && !(last in parent)) throw unprocessable(`replace operation does not apply: doc is missing key: ${path}: missing value`, 'replace');
    parent[last] = value;
  }
  return doc;
}

/** RFC 6902 JSON patch: add, remove, replace, move, copy, test. */
export function jsonPatch(target: any, operations: any): any {
  if (!Array.isArray(operations)) throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  let doc = structuredClone(target);
  for (const op of operations) {
    switch (op?.op) {
      case 'add':
        doc = add(doc, op.path, structuredClone(op.value), false);
        break;
      case 'replace':
        doc = add(doc, op.path, structuredClone(op.value), true);
        break;
      case 'remove':
        remove(doc, op.path);
        break;
      case 'move': {
        const value = remove(doc, op.from);
        doc = add(doc, op.path, value, false);
        break;
      }
      case 'copy':
        doc = add(doc, op.path, structuredClone(get(doc, op.from)), false);
        break;
      case 'test':
        if (JSON.stringify(get(doc, op.path)) !== JSON.stringify(op.value)) throw unprocessable(`testing value ${op.path} failed: test failed`, 'test');
        break;
      default:
        throw badRequest(`Unexpected kind: ${op?.op}`);
    }
  }
  return doc;
}

export function applyPatch(contentType: string, target: any, patch: any): any {
  const type = contentType.split(';')[0].trim().toLowerCase();
  if (type === 'application/json-patch+json') return jsonPatch(target, patch);
  if (type === 'application/merge-patch+json' || type === 'application/strategic-merge-patch+json') {
    if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) throw badRequest('json: cannot unmarshal array into Go value of type map[string]interface {}');
    return mergePatch(target, patch);
  }
  throw unsupportedMediaType(contentType);
}
