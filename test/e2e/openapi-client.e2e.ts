import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestServer, TestServer } from '../support/server';

// The portal's API client, checked against the OpenAPI document the control plane serves:
// every function of every exported client object is called with a recording transport, and
// each (method, path) it would use must be an operation of the document. New endpoints are
// covered as soon as they are added to an object exported from apps/portal/src/api/.

const API_DIR = resolve(__dirname, '../../apps/portal/src/api');
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

interface OpenApiOperation {
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }>;
}
interface OpenApiDocument {
  paths: Record<string, Partial<Record<(typeof METHODS)[number], OpenApiOperation>>>;
}

interface Call {
  /** `adminApi.users.get`, `api.results.fileUrl` … */
  name: string;
  method: string;
  path: string;
}

/** The client modules: every non-test TypeScript file of the portal's api folder. */
const clientModules = () => readdirSync(API_DIR).filter((f) => /\.tsx?$/.test(f) && !/\.(spec|test)\.tsx?$/.test(f) && !f.endsWith('.d.ts'));

/** Every function reachable through the plain objects a module exports (top-level function exports are helpers, not endpoints). */
function endpointsOf(exports: Record<string, unknown>): Array<{ name: string; fn: (...args: unknown[]) => unknown }> {
  const found: Array<{ name: string; fn: (...args: unknown[]) => unknown }> = [];
  const walk = (value: unknown, name: string, seen: Set<unknown>) => {
    if (typeof value === 'function') found.push({ name, fn: value as (...args: unknown[]) => unknown });
    else if (value && typeof value === 'object' && !seen.has(value) && Object.getPrototypeOf(value) === Object.prototype) {
      seen.add(value);
      for (const [key, child] of Object.entries(value)) walk(child, `${name}.${key}`, seen);
    }
  };
  for (const [key, value] of Object.entries(exports)) if (value && typeof value === 'object') walk(value, key, new Set());
  return found;
}

/** Parameters of wildcard routes (`files/*path`, `uploads/*path`): Swagger shows them as one `{path}`, the URL has several segments. */
const WILDCARD_PARAMS = new Set(['path']);

/** Routes whose success answers are not described yet (the admin API is being built); their 2xx must still exist. */
const DESCRIPTIONS_PENDING = ['/api/admin/'];

/** `/api/results/{id}/files/{path}` as a regular expression over concrete paths. */
function templateToRegExp(template: string): RegExp {
  const pattern = template
    .split(/(\{[^}]+\})/)
    .map((part, i, parts) => {
      if (!part.startsWith('{')) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const last = i === parts.length - 1 || (i === parts.length - 2 && parts[i + 1] === '');
      return last && WILDCARD_PARAMS.has(part.slice(1, -1)) ? '.+' : '[^/]+';
    })
    .join('');
  return new RegExp(`^${pattern}$`);
}

describe('the portal client matches the OpenAPI document', () => {
  let server: TestServer;
  let doc: OpenApiDocument;
  const calls: Call[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    const res = await fetch(`${server.url}/api/docs/openapi.json`);
    expect(res.status).toBe(200);
    doc = (await res.json()) as OpenApiDocument;

    // Record instead of sending: the client's only transport is the global fetch.
    let current: string[] = [];
    vi.stubGlobal('fetch', async (input: string | URL, init?: RequestInit) => {
      current.push(`${(init?.method ?? 'GET').toUpperCase()} ${String(input)}`);
      return new Response(null, { status: 204 });
    });
    const seenFns = new Set<unknown>();
    for (const file of clientModules()) {
      const exports = (await import(join(API_DIR, file))) as Record<string, unknown>;
      for (const { name, fn } of endpointsOf(exports)) {
        if (seenFns.has(fn)) continue; // `api.admin` is `adminApi`: each function once
        seenFns.add(fn);
        current = [];
        // Path parameters get a recognisable placeholder; numbers and objects only end up in bodies or query strings.
        const args = Array.from({ length: fn.length }, (_, i) => `arg${i}`);
        let returned: unknown;
        let error: unknown;
        try {
          returned = await fn(...args);
        } catch (err) {
          error = err; // reading the stub's empty answer may fail; the request was recorded before
        }
        const made = [...current];
        // URL builders (fileUrl, eventsUrl, csvUrl …) are links the browser follows with GET.
        if (typeof returned === 'string' && returned.startsWith('/api/')) made.push(`GET ${returned}`);
        if (!made.length) throw new Error(`${file}: ${name}(${args.join(', ')}) neither called the API nor returned an /api/ URL${error ? ` (it threw: ${(error as Error).message})` : ''}`);
        for (const m of made) {
          const [method, url] = m.split(' ');
          calls.push({ name: `${file}: ${name}`, method, path: url.split('?')[0] });
        }
      }
    }
    vi.unstubAllGlobals();
  });
  afterEach(() => vi.unstubAllGlobals());
  afterAll(async () => {
    await server?.stop();
  });

  const operationFor = (call: Call): { template: string; op: OpenApiOperation } | null => {
    for (const [template, item] of Object.entries(doc.paths)) {
      const op = item[call.method.toLowerCase() as (typeof METHODS)[number]];
      if (op && templateToRegExp(template).test(call.path)) return { template, op };
    }
    return null;
  };

  it('finds the client objects and their functions', () => {
    const names = calls.map((c) => c.name);
    // A few known endpoints, so an empty walk cannot pass.
    expect(names).toEqual(expect.arrayContaining(['endpoints.ts: api.auth.login', 'endpoints.ts: api.results.list', 'endpoints.ts: api.shares.create', 'endpoints.ts: api.sessions.eventsUrl']));
    expect(calls.length).toBeGreaterThanOrEqual(25);
  });

  it('uses only operations the document describes (method and path template)', () => {
    const missing = calls.filter((c) => !operationFor(c)).map((c) => `${c.name} → ${c.method} ${c.path}`);
    expect(missing).toEqual([]);
  });

  it('documents the success answer of every operation the client uses', () => {
    const problems: string[] = [];
    for (const c of calls) {
      const found = operationFor(c);
      if (!found) continue; // reported above
      const success = Object.entries(found.op.responses ?? {}).filter(([code]) => /^2\d\d$/.test(code));
      const where = `${c.name} → ${c.method} ${found.template}`;
      if (success.length === 0) problems.push(`${where}: no documented 2xx answer`);
      // Nest documents a bare default 2xx for every route; a description (the contract type it returns) is what @ApiAnswers adds.
      // Several 2xx are fine when each is described (sign-up: 201 logged in, or 202 "check your inbox").
      for (const [code, answer] of success) {
        if (!answer.description && !DESCRIPTIONS_PENDING.some((prefix) => found.template.startsWith(prefix))) problems.push(`${where}: ${code} has no description`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('matches path templates segment by segment (wildcards only for a trailing {path})', () => {
    expect(templateToRegExp('/api/results/{id}').test('/api/results/r1')).toBe(true);
    expect(templateToRegExp('/api/results/{id}').test('/api/results/r1/shares')).toBe(false);
    expect(templateToRegExp('/api/results/{id}/files/{path}').test('/api/results/r1/files/model/weights.bin')).toBe(true);
    expect(templateToRegExp('/api/results/{id}/shares/{shareId}').test('/api/results/r1/shares/a/b')).toBe(false);
  });
});
