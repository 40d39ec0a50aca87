import { describe, expect, it } from 'vitest';
import type { AppConfig } from '../config/app-config';
import { withoutFraming } from './frame-ancestors';
import { NotebookOrigins } from './notebook-origins';
import { safeNext } from './notebook-path';

const ID = '3f2c9a4e-1b2d-4c5e-8f90-123456789abc';
const OTHER = '0d0d0d0d-1b2d-4c5e-8f90-123456789abc';
const origins = (publicUrl: string, notebookDomain: string) => new NotebookOrigins({ publicUrl, notebookDomain } as AppConfig);

describe('notebook origins', () => {
  it("routes <session>.<NOTEBOOK_DOMAIN> to that session, the domain's other names nowhere, and everything else to the portal", () => {
    const local = origins('http://localhost:3000', 'localhost:3000');
    expect(local.route(`${ID}.localhost:3000`)).toEqual({ kind: 'notebook', sessionId: ID, origin: `http://${ID}.localhost:3000` });
    expect(local.route(`${ID.toUpperCase()}.LOCALHOST:3000`)).toMatchObject({ kind: 'notebook', sessionId: ID });
    expect(local.route('localhost:3000')).toEqual({ kind: 'portal' });
    expect(local.route('127.0.0.1:3000')).toEqual({ kind: 'portal' });
    expect(local.route(undefined)).toEqual({ kind: 'portal' });
    expect(local.route('www.localhost:3000')).toEqual({ kind: 'unknown-notebook-host' });
    expect(local.route(`${OTHER}.${ID}.localhost:3000`)).toEqual({ kind: 'unknown-notebook-host' });
    // Another port is another origin: not ours.
    expect(local.route(`${ID}.localhost:4000`)).toEqual({ kind: 'portal' });
  });

  it('uses the scheme of PUBLIC_URL, its default port implied, and a __Host- cookie on https', () => {
    const hosted = origins('https://trialhub.example.com', 'notebooks.example.net');
    expect(hosted.origin(ID)).toBe(`https://${ID}.notebooks.example.net`);
    expect(hosted.route(`${ID}.notebooks.example.net:443`)).toMatchObject({ kind: 'notebook', sessionId: ID });
    expect(hosted.cookieName).toBe('__Host-trialhub_notebook');
    expect(origins('http://localhost:3000', 'localhost:3000').cookieName).toBe('trialhub_notebook');
  });
});

describe('where a hand-off may go on', () => {
  it("only to the session's own notebook paths", () => {
    expect(safeNext(`/notebook/${ID}/notebooks/a.ipynb?kernel=1#cell`, ID)).toBe(`/notebook/${ID}/notebooks/a.ipynb?kernel=1#cell`);
    expect(safeNext(null, ID)).toBe(`/notebook/${ID}/tree`);
    for (const bad of [`/notebook/${OTHER}/tree`, `/notebook/${ID}/../${OTHER}/tree`, `/notebook/${ID}/%2e%2e/${OTHER}/`, 'https://evil.example/', '//evil.example/', `/\\evil.example/notebook/${ID}/`, `/notebook/${ID}\\..\\x`, `/notebook/${ID}`, '/api/auth/me']) {
      expect(safeNext(bad, ID), bad).toBeNull();
    }
  });
});

describe("a notebook origin's framing policy", () => {
  it("replaces Jupyter's frame-ancestors with 'none' and keeps the rest", () => {
    expect(withoutFraming(`frame-ancestors 'self'; report-uri /notebook/${ID}/api/security/csp-report`)).toBe(`report-uri /notebook/${ID}/api/security/csp-report; frame-ancestors 'none'`);
    expect(withoutFraming(undefined)).toBe("frame-ancestors 'none'");
  });
});
