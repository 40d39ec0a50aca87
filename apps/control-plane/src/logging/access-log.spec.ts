import { describe, expect, it } from 'vitest';
import { accessRequest, accessResponse } from './access-log';

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
