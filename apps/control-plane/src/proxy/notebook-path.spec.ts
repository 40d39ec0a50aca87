import { describe, expect, it } from 'vitest';
import { isNotebookUrl, parseNotebookPath } from './notebook-path';
import { cookiesForJupyter, cookieValues, parseCookies, requestCredentials } from './request-credentials';

const ID = '3f2c9a4e-1b2d-4c5e-8f90-123456789abc';

describe('notebook URLs', () => {
  it('finds the session of /notebook/<id>/… and notices the missing slash', () => {
    expect(parseNotebookPath(`/notebook/${ID}/api/kernels/k/channels?session_id=1`)).toEqual({ sessionId: ID, bare: false });
    expect(parseNotebookPath(`/notebook/${ID.toUpperCase()}/tree`)).toEqual({ sessionId: ID, bare: false });
    expect(parseNotebookPath(`/notebook/${ID}?x=1`)).toEqual({ sessionId: ID, bare: true });
  });
  it('names no session for anything else', () => {
    expect(parseNotebookPath('/notebook/not-a-uuid/tree')).toBeNull();
    expect(parseNotebookPath(`/notebook/${ID}x/tree`)).toBeNull();
    expect(parseNotebookPath('/api/sessions')).toBeNull();
    expect(isNotebookUrl('/notebook')).toBe(true);
    expect(isNotebookUrl('/notebooks')).toBe(false);
    expect(isNotebookUrl(undefined)).toBe(false);
  });
});

describe('credentials', () => {
  it('reads a bearer header before the session cookie', () => {
    expect(requestCredentials({ authorization: 'Bearer abc' }, parseCookies('trialhub_session=xyz'))).toEqual({ token: 'abc', via: 'bearer' });
    expect(requestCredentials({}, parseCookies('a=1; trialhub_session=xyz'))).toEqual({ token: 'xyz', via: 'cookie' });
    // Jupyter's web UI may send its own "Authorization: token …": that is not a Trialhub log-in.
    expect(requestCredentials({ authorization: 'token jupyter' }, parseCookies('trialhub_session=xyz'))).toEqual({ token: 'xyz', via: 'cookie' });
    expect(requestCredentials({}, new Map())).toBeNull();
  });
  it("keeps the user's Trialhub cookies away from Jupyter", () => {
    expect(cookiesForJupyter('trialhub_session=s; _xsrf=2|a|b|1; trialhub_csrf=c; other=1')).toBe('_xsrf=2|a|b|1; other=1');
    expect(cookiesForJupyter('trialhub_session=s')).toBeUndefined();
    expect(cookiesForJupyter('__Host-trialhub_notebook=n; trialhub_notebook=m; _xsrf=x')).toBe('_xsrf=x');
  });
  it('sees every value of a cookie name, so a planted duplicate is noticed', () => {
    expect(cookieValues('trialhub_notebook=a; _xsrf=x; trialhub_notebook=b', 'trialhub_notebook')).toEqual(['a', 'b']);
    expect(cookieValues('xtrialhub_notebook=a', 'trialhub_notebook')).toEqual([]);
    expect(cookieValues(undefined, 'trialhub_notebook')).toEqual([]);
  });
});
