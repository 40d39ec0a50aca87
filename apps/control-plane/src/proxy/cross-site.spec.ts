import { describe, expect, it } from 'vitest';
import { hasWriteToken, isForeignOrigin } from './cross-site';
import { parseCookies } from './request-credentials';

const NOTEBOOK = 'http://3f2c9a4e-1b2d-4c5e-8f90-123456789abc.localhost:3000';

describe('isForeignOrigin', () => {
  it('accepts no Origin (same-origin GETs, programs) and the notebook origin itself', () => {
    expect(isForeignOrigin({}, NOTEBOOK)).toBe(false);
    expect(isForeignOrigin({ origin: NOTEBOOK }, NOTEBOOK)).toBe(false);
  });
  it("refuses the portal's origin, another notebook's, other sites, opaque origins and garbage", () => {
    expect(isForeignOrigin({ origin: 'http://localhost:3000', host: 'localhost:3000' }, NOTEBOOK)).toBe(true);
    expect(isForeignOrigin({ origin: 'http://0d0d0d0d-1b2d-4c5e-8f90-123456789abc.localhost:3000' }, NOTEBOOK)).toBe(true);
    expect(isForeignOrigin({ origin: 'https://evil.example', host: '3f2c9a4e-1b2d-4c5e-8f90-123456789abc.localhost:3000' }, NOTEBOOK)).toBe(true);
    expect(isForeignOrigin({ origin: 'null' }, NOTEBOOK)).toBe(true);
    expect(isForeignOrigin({ origin: 'not a url' }, NOTEBOOK)).toBe(true);
  });
});

describe('hasWriteToken', () => {
  it('lets reads and bearer-authenticated writes through', () => {
    expect(hasWriteToken('GET', 'notebook-cookie', {}, new Map())).toBe(true);
    expect(hasWriteToken('PUT', 'bearer', {}, new Map())).toBe(true);
  });
  it("needs Jupyter's double-submit XSRF token for cookie-authenticated writes (the portal's CSRF token means nothing here)", () => {
    const xsrf = '2|8a1b2c3d|0123456789abcdef|1700000000';
    expect(hasWriteToken('POST', 'notebook-cookie', {}, new Map())).toBe(false);
    expect(hasWriteToken('POST', 'notebook-cookie', { 'x-xsrftoken': xsrf }, parseCookies(`_xsrf=${xsrf}`))).toBe(true);
    expect(hasWriteToken('POST', 'notebook-cookie', { 'x-xsrftoken': encodeURIComponent(xsrf) }, parseCookies(`_xsrf=${xsrf}`))).toBe(true);
    expect(hasWriteToken('POST', 'notebook-cookie', { 'x-xsrftoken': 'other' }, parseCookies(`_xsrf=${xsrf}`))).toBe(false);
    expect(hasWriteToken('DELETE', 'notebook-cookie', { 'x-csrf-token': 'anything' }, new Map())).toBe(false);
  });
});
