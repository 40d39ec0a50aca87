import type { IncomingMessage, ServerResponse } from 'node:http';
import { resourceInfo, type ApiServer, type DeleteOptions } from './api-server';
import { apiGroup, apiGroupList, apiVersions, VERSION } from './discovery';
import type { FaultPlan } from './faults';
import { API_GROUPS, apiResourceList, apiVersionOf } from './resources';
import { selectorPredicate } from './selectors';
import { ApiError, badRequest, failure, injectedFault, methodNotAllowed, unauthorized, type StatusBody } from './status';
import type { ObjectStore } from './store';
import { asTable, wantsTable } from './table';
import type { RecordedRequest } from './types';
import { WatchStream } from './watch';

const MAX_BODY_BYTES = 3 * 1024 * 1024;

/** A request URL taken apart the way the API server's request info resolver does. */
interface Target {
  /** '' for /api/v1, the group of /apis/<group>/v1 otherwise. */
  group: string;
  resource: string;
  namespace?: string;
  name?: string;
  subresource?: string;
  watchPath: boolean;
}

function parseTarget(group: string, segments: string[]): Target | undefined {
  let rest = segments;
  let watchPath = false;
  if (rest[0] === 'watch') {
    watchPath = true;
    rest = rest.slice(1);
  }
  if (rest.length === 0) return undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3 && !['status', 'finalize'].includes(rest[2])) {
    if (rest.length > 5) return undefined;
    return { group, namespace: rest[1], resource: rest[2], name: rest[3], subresource: rest[4], watchPath };
  }
  if (rest.length > 3) return undefined;
  return { group, resource: rest[0], name: rest[1], subresource: rest[2], watchPath };
}

export interface HttpApiOptions {
  store: ObjectStore;
  api: ApiServer;
  faults: FaultPlan;
  requests: RecordedRequest[];
  watches: Set<WatchStream>;
  token: string;
  address: () => string;
  bookmarkIntervalMs: number;
}

/** The HTTP face of the fake API server: routing, JSON in and out, Status errors, watches, faults. */
export class HttpApi {
  constructor(private readonly o: HttpApiOptions) {}

  handle = (req: IncomingMessage, res: ServerResponse): void => {
    this.serve(req, res).catch((error) => this.fail(req, res, error instanceof ApiError ? error : new ApiError(failure(500, 'InternalError', `Internal error occurred: ${String(error?.message ?? error)}`))));
  };

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = (req.method ?? 'GET').toUpperCase();
    const record: RecordedRequest & { path: string } = { method, verb: method.toLowerCase(), resource: '', status: 0, path: url.pathname };
    (res as any).record = record;
    const auth = req.headers.authorization;
    if (auth !== undefined && auth !== `Bearer ${this.o.token}`) throw unauthorized();

    const segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const target =
      segments[0] === 'api' && segments[1] === 'v1' && segments.length > 2 ? parseTarget('', segments.slice(2))
      : segments[0] === 'apis' && API_GROUPS.includes(segments[1]) && segments[2] === 'v1' && segments.length > 3 ? parseTarget(segments[1], segments.slice(3))
      : undefined;
    if (target) {
      const watch = target.watchPath || ['true', '1'].includes(url.searchParams.get('watch') ?? '');
      record.resource = target.subresource ? `${target.resource}/${target.subresource}` : target.resource;
      record.verb = verbOf(method, target, watch);
      if (target.namespace !== undefined) record.namespace = target.namespace;
      if (target.name !== undefined) record.name = target.name;
    }

    const fault = this.o.faults.take(method, `${url.pathname}${url.search}`);
    if (fault.delayMs > 0) await new Promise((r) => setTimeout(r, fault.delayMs));
    if (fault.status) throw injectedFault(fault.status);

    if (!target) return this.nonResource(req, res, segments, method);
    if (target.resource === 'namespaces' && target.namespace === undefined && target.name && target.subresource) throw methodNotAllowed();
    const info = resourceInfo(target.resource);
    // A resource exists only under its own group's path (pods are not at /apis/node.k8s.io/v1/pods).
    if (info.group !== target.group) throw new ApiError(failure(404, 'NotFound', 'the server could not find the requested resource', {}));
    if (target.namespace !== undefined && !info.namespaced) throw new ApiError(failure(404, 'NotFound', 'the server could not find the requested resource', {}));
    const namespace = info.namespaced ? target.namespace : undefined;
    const ns = namespace ?? '';

    switch (record.verb) {
      case 'list':
        return this.send(req, res, 200, this.list(url, target.resource, namespace, req), target.resource);
      case 'watch':
        return this.watch(url, res, target, namespace);
      case 'get':
        if (target.subresource === 'log') return this.log(res, ns, target.name!, url);
        if (target.subresource && target.subresource !== 'status') throw new ApiError(failure(404, 'NotFound', 'the server could not find the requested resource', {}));
        return this.send(req, res, 200, this.o.api.get(target.resource, ns, target.name!), target.resource);
      case 'create':
        if (info.namespaced && namespace === undefined) throw methodNotAllowed();
        if (target.name) throw methodNotAllowed('the server does not allow this method on the requested resource');
        return this.send(req, res, 201, this.o.api.create(target.resource, namespace, await readJson(req)));
      case 'update':
        return this.send(req, res, 200, this.o.api.replace(target.resource, ns, target.name!, await readJson(req), target.subresource));
      case 'patch':
        return this.send(req, res, 200, this.o.api.patch(target.resource, ns, target.name!, req.headers['content-type'] ?? '', await readJson(req), target.subresource));
      case 'delete': {
        const options = deleteOptions(url, await readJson(req, true));
        const result = this.o.api.delete(target.resource, ns, target.name!, options);
        // As the real server's delete handler: 200 with the object, also while the deletion is pending
        // (graceful pods, finalizers); 202 only when the deprecated orphanDependents=false was sent.
        if (info.returnsDeletedObject || !result.finished) return this.send(req, res, !result.finished && options.orphanDependents === false ? 202 : 200, result.object);
        const uid = result.object?.metadata?.uid;
        return this.send(req, res, 200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: target.name, kind: target.resource, ...(uid ? { uid } : {}) } });
      }
      case 'deletecollection': {
        const options = deleteOptions(url, await readJson(req, true));
        const matches = selectorPredicate(url.searchParams.get('labelSelector'), url.searchParams.get('fieldSelector'), target.resource);
        const items = this.o.store.list(target.resource, namespace).filter(matches);
        const deleted = items.map((item) => this.o.api.delete(target.resource, item.metadata.namespace ?? '', item.metadata.name, options).object);
        return this.send(req, res, 200, { kind: `${info.kind}List`, apiVersion: apiVersionOf(info), metadata: { resourceVersion: String(this.o.store.resourceVersion) }, items: deleted.filter(Boolean).map(stripTypeMeta) });
      }
      default:
        throw methodNotAllowed();
    }
  }

  private list(url: URL, resource: string, namespace: string | undefined, _req: IncomingMessage): any {
    const info = resourceInfo(resource);
    const matches = selectorPredicate(url.searchParams.get('labelSelector'), url.searchParams.get('fieldSelector'), resource);
    const keyOf = (o: any) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    let items = this.o.store.list(resource, namespace).filter(matches);
    items.sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
    const resourceVersion = String(this.o.store.resourceVersion);
    const metadata: Record<string, unknown> = { resourceVersion };
    const token = url.searchParams.get('continue');
    if (token) {
      let after: string;
      try {
        after = JSON.parse(Buffer.from(token, 'base64url').toString()).start;
      } catch {
        throw badRequest('continue key is not valid: invalid continue token');
      }
      items = items.filter((o) => keyOf(o) > after);
    }
    const limit = Number(url.searchParams.get('limit') ?? 0);
    if (limit > 0 && items.length > limit) {
      metadata.remainingItemCount = items.length - limit;
      items = items.slice(0, limit);
      metadata.continue = Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: Number(resourceVersion), start: keyOf(items[items.length - 1]) })).toString('base64url');
    }
    return { kind: `${info.kind}List`, apiVersion: apiVersionOf(info), metadata, items: items.map(stripTypeMeta) };
  }

  private watch(url: URL, res: ServerResponse, target: Target, namespace: string | undefined): void {
    const info = resourceInfo(target.resource);
    const fieldSelector = [url.searchParams.get('fieldSelector'), target.name ? `metadata.name=${target.name}` : undefined].filter(Boolean).join(',');
    const matches = selectorPredicate(url.searchParams.get('labelSelector'), fieldSelector, target.resource);
    const timeout = url.searchParams.get('timeoutSeconds');
    (res as any).record.status = 200;
    this.o.requests.push(publicRecord((res as any).record));
    const stream: WatchStream = new WatchStream(
      this.o.store,
      res,
      {
        resource: target.resource,
        kind: info.kind,
        namespace,
        matches,
        resourceVersion: url.searchParams.get('resourceVersion') ?? undefined,
        timeoutSeconds: timeout ? Number(timeout) : undefined,
        allowBookmarks: url.searchParams.get('allowWatchBookmarks') === 'true',
      },
      this.o.bookmarkIntervalMs,
      () => this.o.watches.delete(stream),
    );
    this.o.watches.add(stream);
    stream.start();
  }

  private log(res: ServerResponse, namespace: string, name: string, url: URL): void {
    const pod = this.o.api.get('pods', namespace, name);
    const containerName = url.searchParams.get('container') ?? pod.spec.containers[0].name;
    const status = pod.status?.containerStatuses?.find((c: any) => c.name === containerName);
    if (!pod.spec.containers.some((c: any) => c.name === containerName)) throw badRequest(`container ${containerName} is not valid for pod ${name}`);
    const waiting = status?.state?.waiting;
    if (!status || (waiting && !status.lastState?.terminated)) throw badRequest(`container "${containerName}" in pod "${name}" is waiting to start: ${waiting?.reason ?? 'ContainerCreating'}`);
    const image = pod.spec.containers.find((c: any) => c.name === containerName).image;
    const lines = [`[fake-k8s] container ${containerName} started from image ${image} (restart ${status.restartCount})`];
    if (status.state?.terminated || status.lastState?.terminated) lines.push(`[fake-k8s] container ${containerName} exited with code ${(status.state?.terminated ?? status.lastState.terminated).exitCode}`);
    (res as any).record.status = 200;
    this.o.requests.push(publicRecord((res as any).record));
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end(`${lines.join('\n')}\n`);
  }

  private nonResource(req: IncomingMessage, res: ServerResponse, segments: string[], method: string): void {
    const path = `/${segments.join('/')}`;
    if (method !== 'GET') throw methodNotAllowed();
    if (path === '/api') return this.send(req, res, 200, apiVersions(this.o.address()));
    if (path === '/api/v1') return this.send(req, res, 200, apiResourceList());
    if (path === '/apis') return this.send(req, res, 200, apiGroupList(API_GROUPS));
    const group = API_GROUPS.find((g) => path === `/apis/${g}` || path === `/apis/${g}/v1`);
    if (group) return this.send(req, res, 200, path.endsWith('/v1') ? apiResourceList(group) : apiGroup(group));
    if (path === '/version') return this.send(req, res, 200, VERSION);
    if (['/healthz', '/livez', '/readyz'].includes(path)) {
      (res as any).record.status = 200;
      this.o.requests.push(publicRecord((res as any).record));
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('ok');
      return;
    }
    // /openapi/v2, /openapi/v3, other /apis/<group>...: kubectl tolerates 404 for these.
    throw new ApiError(failure(404, 'NotFound', 'the server could not find the requested resource', {}));
  }

  private send(req: IncomingMessage, res: ServerResponse, status: number, body: unknown, resource?: string): void {
    let payload = body;
    if (resource && wantsTable(req.headers.accept)) payload = asTable(resource, body);
    (res as any).record.status = status;
    this.o.requests.push(publicRecord((res as any).record));
    const text = JSON.stringify(payload);
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }

  private fail(req: IncomingMessage, res: ServerResponse, error: ApiError): void {
    const record = (res as any).record as RecordedRequest | undefined;
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (record) {
      record.status = error.code;
      this.o.requests.push(publicRecord(record));
    }
    const text = JSON.stringify(error.status satisfies StatusBody);
    res.writeHead(error.code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...error.headers });
    res.end(text);
    void req;
  }
}

function publicRecord(record: RecordedRequest & { path?: string }): RecordedRequest {
  return { ...record };
}

function verbOf(method: string, target: Target, watch: boolean): string {
  switch (method) {
    case 'GET':
      if (watch) return 'watch';
      return target.name ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return target.name ? 'delete' : 'deletecollection';
    default:
      return method.toLowerCase();
  }
}

/** List items carry no kind/apiVersion on the real server; the list does. */
function stripTypeMeta(object: any): any {
  const { kind: _k, apiVersion: _a, ...rest } = object;
  return rest;
}

function deleteOptions(url: URL, body: any): DeleteOptions {
  const q = url.searchParams;
  const grace = body?.gracePeriodSeconds ?? (q.has('gracePeriodSeconds') ? Number(q.get('gracePeriodSeconds')) : undefined);
  if (grace !== undefined && (!Number.isFinite(grace) || grace < 0)) throw badRequest(`invalid gracePeriodSeconds: ${grace}`);
  let policy = body?.propagationPolicy ?? q.get('propagationPolicy') ?? undefined;
  const orphan = body?.orphanDependents ?? (q.has('orphanDependents') ? q.get('orphanDependents') === 'true' : undefined);
  if (!policy && orphan === true) policy = 'Orphan';
  if (policy !== undefined && !['Background', 'Foreground', 'Orphan'].includes(policy))
    throw new ApiError(failure(422, 'Invalid', `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan", "nil"`, { kind: 'DeleteOptions', causes: [{ reason: 'FieldValueNotSupported', field: 'propagationPolicy', message: `Unsupported value: "${policy}"` }] }));
  return { gracePeriodSeconds: grace, propagationPolicy: policy, preconditions: body?.preconditions, orphanDependents: orphan };
}

async function readJson(req: IncomingMessage, optional = false): Promise<any> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new ApiError(failure(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728'));
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (!text) {
    if (optional) return undefined;
    throw badRequest('the body of the request was empty');
  }
  const type = (req.headers['content-type'] ?? 'application/json').split(';')[0].trim();
  if (/yaml|protobuf/.test(type)) throw new ApiError(failure(415, 'UnsupportedMediaType', `the fake API server speaks JSON only; got Content-Type "${type}"`));
  try {
    return JSON.parse(text);
  } catch (error: any) {
    throw badRequest(`the body of the request could not be decoded as JSON: ${error.message}`);
  }
}

