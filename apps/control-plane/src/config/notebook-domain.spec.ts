import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './app-config';
import { sharesParentDomain } from './notebook-domain';

const dataDir = () => mkdtempSync(join(tmpdir(), 'trialhub-nbdomain-'));

describe('NOTEBOOK_DOMAIN', () => {
  it('defaults to localhost:<bound port> for a loopback portal, following PORT=0 to the port bound', () => {
    const c = loadConfig({ TRIALHUB_DATA_DIR: dataDir(), PORT: '0' });
    c.bindPort(41234);
    expect(c.notebookDomain).toBe('localhost:41234');
    const ip = loadConfig({ TRIALHUB_DATA_DIR: dataDir(), PORT: '3000', PUBLIC_URL: 'http://127.0.0.1:3000' });
    expect(ip.notebookDomain).toBe('localhost:3000');
  });

  it('is required for a portal elsewhere, and the error names the variable', () => {
    expect(() => loadConfig({ TRIALHUB_DATA_DIR: dataDir(), PUBLIC_URL: 'https://trialhub.example.com' })).toThrow(/NOTEBOOK_DOMAIN is required/);
  });

  it("refuses the portal's own host and malformed values, keeps a configured one (without the scheme's default port)", () => {
    expect(() => loadConfig({ TRIALHUB_DATA_DIR: dataDir(), PUBLIC_URL: 'https://trialhub.example.com', NOTEBOOK_DOMAIN: 'trialhub.example.com:443' })).toThrow(/NOTEBOOK_DOMAIN must not be the portal's own host/);
    expect(() => loadConfig({ TRIALHUB_DATA_DIR: dataDir(), PUBLIC_URL: 'https://trialhub.example.com', NOTEBOOK_DOMAIN: 'https://nb.example.net' })).toThrow(/NOTEBOOK_DOMAIN must be a host name/);
    const c = loadConfig({ TRIALHUB_DATA_DIR: dataDir(), PORT: '0', PUBLIC_URL: 'https://trialhub.example.com', NOTEBOOK_DOMAIN: 'Notebooks.Example.NET:443' });
    c.bindPort(41234);
    expect(c.notebookDomain).toBe('notebooks.example.net');
  });

  it('tells when portal and notebooks share a parent domain (same site)', () => {
    expect(sharesParentDomain('https://trialhub.example.com', 'notebooks.example.com')).toBe(true);
    expect(sharesParentDomain('https://trialhub.example.com', 'trialhub-notebooks.net')).toBe(false);
    expect(sharesParentDomain('http://localhost:3000', 'localhost:3000')).toBe(false);
    expect(sharesParentDomain('http://trialhub.localhost', 'notebooks.localhost')).toBe(false);
  });
});
