import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessLog, accessRequest, accessResponse } from './access-log';
import { jsonLinesSink } from '../../../../test/support/json-lines';
import { rootLogger } from './root-logger';

const req = (url: string) => ({ id: 'r1', method: 'GET', url, headers: { cookie: 'trialhub_session=secret', authorization: 'Bearer x', 'user-agent': 'UA' }, socket: { remoteAddress: '10.0.0.1' } }) as never;

describe('the access line', () => {
  it('has method, path, id and client address, and no headers', () => {
    expect(accessRequest(req('/api/sessions'))).toEqual({ id: 'r1', method: 'GET', url: '/api/sessions', remoteAddress: '10.0.0.1' });
    expect(accessResponse({ statusCode: 201, getHeaders: () => ({ 'set-cookie': 'x' }) } as never)).toEqual({ statusCode: 201 });
  });

  it('never writes a share token or a query string', () => {
    expect(accessRequest(req('/share/abcdef0123456789/report')).url).toBe('/share/…/report');
    expect(accessRequest(req('/api/share/abcdef0123456789')).url).toBe('/api/share/…');
    expect(accessRequest(req('/_trialhub/handoff?token=secret')).url).toBe('/_trialhub/handoff');
  });
});

describe('the access log middleware, over real HTTP', () => {
  const lines: Array<Record<string, any>> = [];
  let server: Server;
  let url = '';

  beforeAll(async () => {
    const log = accessLog(rootLogger('info', jsonLinesSink(lines)));
    server = createServer((req, res) =>
      log(req, res, () => {
        res.statusCode = req.url === '/boom' ? 503 : 200;
        res.end('ok');
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  const settled = () => new Promise((resolve) => setTimeout(resolve, 20));

  it("echoes a caller's plain request id, makes one for anything else, and writes one line per request", async () => {
    const own = await fetch(`${url}/api/sessions?token=secret`, { headers: { 'x-request-id': 'trace-123', cookie: 'trialhub_session=secret' } });
    expect(own.headers.get('x-request-id')).toBe('trace-123');
    const odd = await fetch(`${url}/api/x`, { headers: { 'x-request-id': 'has spaces <and> more' } });
    expect(odd.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    await settled();
    const line = lines.find((l) => l.req?.id === 'trace-123');
    expect(line).toMatchObject({ level: 30, msg: 'request completed', req: { method: 'GET', url: '/api/sessions', id: 'trace-123' }, res: { statusCode: 200 }, responseTime: expect.any(Number) });
    expect(JSON.stringify(lines)).not.toMatch(/secret|cookie/);
    expect(lines.filter((l) => l.req?.id === odd.headers.get('x-request-id'))).toHaveLength(1);
  });

  it('writes a 5xx at error and leaves probes out', async () => {
    lines.length = 0;
    await fetch(`${url}/boom`);
    await fetch(`${url}/healthz`);
    await fetch(`${url}/readyz`);
    await settled();
    expect(lines.map((l) => [l.level, l.req.url])).toEqual([[50, '/boom']]);
  });
});
