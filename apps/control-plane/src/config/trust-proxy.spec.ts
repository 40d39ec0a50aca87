import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from './app-config';
import { parseTrustProxy } from './trust-proxy';

const dataDir = () => mkdtempSync(join(tmpdir(), 'trialhub-config-'));

describe('TRUST_PROXY', () => {
  it('is off by default and for false or 0', () => {
    expect(loadConfig({ TRIALHUB_DATA_DIR: dataDir() }).trustProxy).toBe(false);
    expect(parseTrustProxy('false')).toEqual({ value: false });
    expect(parseTrustProxy('0')).toEqual({ value: false });
  });

  it('takes a hop count, or a list of addresses, CIDRs and Express range names', () => {
    expect(loadConfig({ TRIALHUB_DATA_DIR: dataDir(), TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(parseTrustProxy(' 10.0.0.0/8, 192.168.1.7 ,fd00::/8,loopback,uniquelocal')).toEqual({ value: ['10.0.0.0/8', '192.168.1.7', 'fd00::/8', 'loopback', 'uniquelocal'] });
  });

  it('refuses "true" at start-up, naming the variable and what to write instead', () => {
    expect(() => loadConfig({ TRIALHUB_DATA_DIR: dataDir(), TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY=true would trust any X-Forwarded-For.*number of proxies.*CIDRs/s);
  });

  it('refuses entries that are not addresses or CIDRs, quoting them', () => {
    expect(() => loadConfig({ TRIALHUB_DATA_DIR: dataDir(), TRUST_PROXY: '10.0.0.0/33,proxy.local' })).toThrow(/TRUST_PROXY has "10.0.0.0\/33", "proxy.local", which is not an address or CIDR/);
  });
});
