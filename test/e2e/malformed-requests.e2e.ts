import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, setCookies } from '../support/http';
import { startTestServer, TestServer } from '../support/server';
import { ownerWithSession } from './results-support';

// A sweep of malformed requests over every operation the served OpenAPI document lists, as an
// anonymous caller, a user and an admin: deep nesting, top-level arrays, scalars and null, null
// and wrongly typed fields, huge strings, bodies past the limit, odd content types, bad path and
// query parameters. Nothing a client sends may yield a 5xx; every refusal is JSON with a message.

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
const ADMIN = { email: 'sweep-admin@example.com', password: 'sweep-admin-password-1' };

interface Schema { $ref?: string; type?: string; properties?: Record<string, Schema>; items?: Schema; nullable?: boolean; maxLength?: number }
interface Parameter { name: string; in: 'path' | 'query' | 'header' | 'cookie'; schema?: Schema }
interface Operation { parameters?: Parameter[]; requestBody?: { content?: Record<string, { schema?: Schema }> } }
interface OpenApiDocument { paths: Record<string, Partial<Record<(typeof METHODS)[number], Operation>>>; components?: { schemas?: Record<string, Schema> } }

interface Variant { label: string; path: string; body?: string; contentType?: string }
interface Sent { who: string; method: string; variant: string; path: string; status: number; text: string; json: unknown }

const nested = (levels: number, open: string, close: string) => open.repeat(levels) + '1' + close.repeat(levels);
const deepObject = (levels: number) => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);
const HUGE = 'x'.repeat(100_000);
/** Values no field documents: each is the wrong type for most fields and the right type of an absurd size for the rest. */
const WRONG_VALUES: Array<[string, unknown]> = [
  ['null', null],
  ['an object', { $gt: '' }],
  ['an array', ['a', 1, null]],
  ['a huge string', HUGE],
  ['a number', 1e308],
  ['a negative number', -1],
  ['a boolean', true],
  ['a nested array', [[[[[]]]]]],
];
/** Body fields tried where the document describes no body schema (DTOs without @ApiProperty). */
const GUESSED_FIELDS = ['title', 'expiresAt', 'expiresInDays', 'profile', 'email', 'password', 'token', 'role', 'reason', 'count', 'hours'];
const BAD_PATH_VALUES = ['not-a-uuid', '-'.repeat(36), '00000000-0000-0000-0000-00000000000g', 'ä'.repeat(40), '%00', '..%2F..%2Fetc%2Fpasswd', 'x'.repeat(4000), '1e309'];
const BAD_QUERY_VALUES: Array<[string, (name: string) => string]> = [
  ['repeated (an array)', (n) => `${n}=1&${n}=2`],
  ['huge', (n) => `${n}=${'9'.repeat(4000)}`],
  ['not a number', (n) => `${n}=abc`],
  ['negative', (n) => `${n}=-1`],
  ['empty', (n) => `${n}=`],
  ['bracketed (an object)', (n) => `${n}[$gt]=1`],
];

/** A plausible value for a path parameter, so body and query variants get past routing. */
const goodPathValue = (name: string) => (name === 'path' ? 'metrics.json' : name === 'name' ? 'cpu' : name === 'token' ? 'a'.repeat(43) : name === 'run' ? 'run-1' : randomUUID());

function fill(template: string, params: Parameter[], override?: [string, string]): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => (override && override[0] === name ? override[1] : encodeURIComponent(goodPathValue(name))));
}

function resolve(doc: OpenApiDocument, schema: Schema | undefined): Schema | undefined {
  if (!schema?.$ref) return schema;
  return doc.components?.schemas?.[schema.$ref.split('/').pop()!];
}

/** The malformed variants of one operation. */
function variantsOf(doc: OpenApiDocument, template: string, method: string, op: Operation): Variant[] {
  const params = op.parameters ?? [];
  const path = fill(template, params);
  const json = (label: string, value: unknown): Variant => ({ label, path, body: JSON.stringify(value), contentType: 'application/json' });
  const raw = (label: string, body: string, contentType?: string): Variant => ({ label, path, body, contentType });
  const out: Variant[] = [
    raw('3,000 nested arrays', nested(3000, '[', ']'), 'application/json'),
    raw('3,000 nested objects', deepObject(3000), 'application/json'),
    raw('40 nested arrays in a field', `{"title":${nested(40, '[', ']')}}`, 'application/json'),
    json('a top-level array', [{}]),
    json('a top-level number', 42),
    json('a top-level string', 'hello'),
    json('a top-level null', null),
    raw('malformed JSON', '{"title": "x",', 'application/json'),
    raw('JSON in Latin-1', '{}', 'application/json; charset=latin1'),
    json('prototype keys', JSON.parse('{"__proto__": {"admin": true}, "constructor": {"prototype": {"x": 1}}}')),
    json('a body past the size limit', { title: 'y'.repeat(1_200_000) }),
    raw('text/plain', 'hello', 'text/plain'),
    raw('multipart', '--b\r\nContent-Disposition: form-data; name="title"\r\n\r\nx\r\n--b--\r\n', 'multipart/form-data; boundary=b'),
    raw('application/xml', '<?xml version="1.0"?><title>x</title>', 'application/xml'),
    raw('form-encoded', 'title=x&email=a', 'application/x-www-form-urlencoded'),
    raw('no content type', '{"title":"x"}'),
  ];
  if (['get', 'delete'].includes(method)) out.splice(11); // odd content types matter where a body is read
  const bodySchema = resolve(doc, op.requestBody?.content?.['application/json']?.schema);
  const fields = bodySchema?.properties ? Object.keys(bodySchema.properties) : method === 'get' ? [] : GUESSED_FIELDS;
  for (const field of fields) for (const [what, value] of WRONG_VALUES) if (!(what === 'null' && bodySchema?.properties?.[field]?.nullable)) out.push(json(`${field}: ${what}`, { [field]: value }));
  for (const p of params.filter((x) => x.in === 'path')) for (const bad of BAD_PATH_VALUES) out.push({ label: `path ${p.name} = ${bad.slice(0, 20)}`, path: fill(template, params, [p.name, bad]) });
  const queries = params.filter((x) => x.in === 'query').map((x) => x.name);
  for (const q of queries.length ? queries : ['limit']) for (const [what, make] of BAD_QUERY_VALUES) out.push({ label: `query ${q} ${what}`, path: `${path}?${make(q)}` });
  return out;
}

/** One raw HTTP request (fetch refuses GET bodies and always picks a content type): status, text and the parsed JSON, if any. */
function send(base: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; text: string; json: unknown }> {
  return new Promise((resolve) => {
    const url = new URL(path, base);
    const req = httpRequest({ host: url.hostname, port: url.port, method, path: url.pathname + url.search, headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown = null;
        try {
          json = JSON.parse(text);
        } catch {
          /* not JSON */
        }
        resolve({ status: res.statusCode ?? 0, text, json });
      });
      res.on('error', (err) => resolve({ status: 599, text: `response failed: ${err.message}`, json: null }));
    });
    req.on('error', (err) => resolve({ status: 599, text: `request failed: ${err.message}`, json: null }));
    req.end(body);
  });
}

/** Runs `tasks` with at most `limit` at once. */
async function pool<T>(tasks: Array<() => Promise<T>>, limit: number): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]();
    }
  }));
  return results;
}

/** Calls that end the caller's trial or log-in go last, so the rest of the sweep runs signed in. */
const ENDS_THE_CALLER = (method: string, path: string) => (method === 'delete' && path === '/api/trial') || /^\/api\/auth\/logout/.test(path);

describe('malformed requests: every route answers 4xx, never 5xx', () => {
  let server: TestServer;
  let doc: OpenApiDocument;

  beforeAll(async () => {
    server = await startTestServer({ ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, AUTH_RATE_LIMIT: '100000/1m', JUPYTER_COMMAND: 'off' });
    doc = (await new ApiClient(server.url).get('/api/docs/openapi.json')).body;
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('sends at least 500 malformed requests as anonymous, user, admin and session; none gets a 5xx; every 4xx is JSON with a message; the server stays up', async () => {
    // The user signs in with cookies (and echoes the CSRF token), the admin with a bearer token.
    const signup = await fetch(`${server.url}/api/auth/signup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'sweep-user@example.com', password: 'correct-horse-battery' }) });
    expect(signup.status).toBe(201);
    const cookie = setCookies(signup.headers).map((c) => c.split(';')[0]).join('; ');
    const userHeaders = { cookie, 'x-csrf-token': ((await signup.json()) as { csrfToken: string }).csrfToken };
    const login = await new ApiClient(server.url).post('/api/auth/login', ADMIN);
    expect(login.status).toBe(200);
    // A session's upload token too: it opens the upload routes, whose bodies are read by hand.
    const session = await ownerWithSession(server, 'sweep-session@example.com');
    const callers: Array<[string, Record<string, string>]> = [
      ['anonymous', {}],
      ['user', userHeaders],
      ['admin', { authorization: `Bearer ${login.body.token}` }],
      ['session', { authorization: `Bearer ${session.token}` }],
    ];

    const operations = Object.entries(doc.paths)
      .flatMap(([template, item]) => METHODS.filter((m) => item[m]).map((method) => ({ template, method, op: item[method]! })))
      .sort((a, b) => Number(ENDS_THE_CALLER(a.method, a.template)) - Number(ENDS_THE_CALLER(b.method, b.template)));
    expect(operations.length).toBeGreaterThan(30);

    const sent: Sent[] = [];
    for (const { template, method, op } of operations) {
      const variants = variantsOf(doc, template, method, op);
      // The upload token opens nothing else (another test proves it): elsewhere it would only repeat the anonymous answers.
      const tasks = callers.filter(([who]) => who !== 'session' || template.startsWith('/api/uploads/')).flatMap(([who, auth]) =>
        variants.map((v) => async () => {
          // Upload routes are served on their own listener (UPLOAD_PORT) only.
          const r = await send(template.startsWith('/api/uploads/') ? server.uploadUrl : server.url, method.toUpperCase(), v.path, { ...auth, ...(v.contentType ? { 'content-type': v.contentType } : {}) }, v.body);
          sent.push({ who, method: method.toUpperCase(), variant: v.label, path: v.path.slice(0, 120), status: r.status, text: r.text.slice(0, 300), json: r.json });
        }),
      );
      await pool(tasks, 6);
    }

    const failures = sent.filter((s) => s.status >= 500).map((s) => `${s.status} ${s.who} ${s.method} ${s.path} [${s.variant}]: ${s.text}`);
    const unreadable = sent
      .filter((s) => s.status >= 400 && s.status < 500)
      .filter((s) => typeof (s.json as { message?: unknown })?.message !== 'string' || !(s.json as { message: string }).message.trim())
      .map((s) => `${s.status} ${s.who} ${s.method} ${s.path} [${s.variant}]: ${s.text}`);
    const tally = Object.entries(sent.reduce<Record<number, number>>((t, s) => ({ ...t, [s.status]: (t[s.status] ?? 0) + 1 }), {})).map(([k, n]) => `${k}: ${n}`);
    console.log(`malformed-requests sweep: ${sent.length} requests over ${operations.length} operations; statuses ${tally.join(', ')}`);
    if (process.env.SWEEP_DEBUG) console.log(sent.filter((s) => s.status < 400).map((s) => `${s.status} ${s.who} ${s.method} ${s.path} [${s.variant}]`).join('\n'));
    expect(sent.length).toBeGreaterThanOrEqual(500);
    expect(failures, failures.slice(0, 40).join('\n')).toEqual([]);
    expect(unreadable, unreadable.slice(0, 40).join('\n')).toEqual([]);
    // The classes of refusal the sweep is about, answered as such.
    // Uploads and try-it photos are raw bodies, not JSON: the JSON rules do not apply to them.
    const rawBody = (path: string) => path.startsWith('/api/uploads') || /\/(predict|photos)$/.test(path.split('?')[0]);
    const statusOf = (variant: string) => new Set(sent.filter((s) => s.variant === variant && s.who === 'admin' && s.method !== 'GET' && s.method !== 'DELETE' && !rawBody(s.path)).map((s) => s.status));
    expect(statusOf('a body past the size limit')).toEqual(new Set([413]));
    expect(statusOf('text/plain')).toEqual(new Set([415]));
    expect(statusOf('3,000 nested arrays')).toEqual(new Set([400]));

    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});
