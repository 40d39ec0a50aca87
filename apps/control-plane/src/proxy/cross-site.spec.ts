import { describe, expect, it } from 'vitest';
import { csrfTokenFor } from '../auth/auth.guard';
import type { AuthUser } from '../auth/auth-user';
import { hasWriteToken, isForeignOrigin } from './cross-site';
import { parseCookies } from './request-credentials';

const user = (via: AuthUser['via']): AuthUser => ({ id: 'u', email: 'a@b.c', role: 'user', verified: true, tokenId: 't', tokenHash: 'hash', via });
const SECRET = 'a-test-secret-that-is-long-enough-for-hmac';

describe('isForeignOrigin', () => {
  const publicUrl = 'https://trialhub.example.com';
  it('accepts no Origin (same-origin GETs, programs), our public URL, and the Host the request was sent to', () => {
    expect(isForeignOrigin({}, publicUrl)).toBe(false);
    expect(isForeignOrigin({ origin: 'https://trialhub.example.com' }, publicUrl)).toBe(false);
    expect(isForeignOrigin({ origin: 'http://localhost:3000', host: 'localhost:3000' }, publicUrl)).toBe(false);
  });
  it('refuses other sites, opaque origins and garbage', () => {
    expect(isForeignOrigin({ origin: 'https://evil.example', host: 'trialhub.example.com' }, publicUrl)).toBe(true);
    expect(isForeignOrigin({ origin: 'null' }, publicUrl)).toBe(true);
    expect(isForeignOrigin({ origin: 'not a url', host: 'x' }, publicUrl)).toBe(true);
  });
});

describe('hasWriteToken', () => {
  it('lets reads and bearer-authenticated writes through', () => {
    expect(hasWriteToken('GET', user('cookie'), {}, new Map(), SECRET)).toBe(true);
    expect(hasWriteToken('PUT', user('bearer'), {}, new Map(), SECRET)).toBe(true);
  });
  it("needs Jupyter's double-submit XSRF token or Trialhub's CSRF token for cookie-authenticated writes", () => {
    const xsrf = '2|8a1b2c3d|0123456789abcdef|1700000000';
    expect(hasWriteToken('POST', user('cookie'), {}, new Map(), SECRET)).toBe(false);
    expect(hasWriteToken('POST', user('cookie'), { 'x-xsrftoken': xsrf }, parseCookies(`_xsrf=${xsrf}`), SECRET)).toBe(true);
    expect(hasWriteToken('POST', user('cookie'), { 'x-xsrftoken': 'other' }, parseCookies(`_xsrf=${xsrf}`), SECRET)).toBe(false);
    expect(hasWriteToken('DELETE', user('cookie'), { 'x-csrf-token': csrfTokenFor(SECRET, 'hash') }, new Map(), SECRET)).toBe(true);
    expect(hasWriteToken('DELETE', user('cookie'), { 'x-csrf-token': 'forged' }, new Map(), SECRET)).toBe(false);
  });
});
