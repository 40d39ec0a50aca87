import { describe, expect, it } from 'vitest';
import { loadConfig } from './app-config';
import { parseDuration } from './duration';
import { ConfigError, ENV_NAMES, validateEnvironment } from './environment';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dataDir = () => mkdtempSync(join(tmpdir(), 'trialhub-config-'));

describe('configuration', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({ TRIALHUB_DATA_DIR: dataDir() });
    expect(c.port).toBe(3000);
    expect(c.runtime.kind).toBe('local');
    expect(c.database.url).toBeNull();
    expect(c.trials.durationMs).toBe(24 * 3600_000);
    expect(c.sessions.maxRuntimeMs).toBe(4 * 3600_000);
    expect(c.mail.verification).toBe('off');
    expect(c.artifacts.resultRetentionMs).toBe(30 * 86_400_000);
  });

  it('with PORT=0, derives the public and upload URLs from the ports actually bound, keeping configured ones', () => {
    const c = loadConfig({ TRIALHUB_DATA_DIR: dataDir(), PORT: '0' });
    expect(c.uploadPort).toBe(0);
    expect(c.runtime.sessionUploadUrl).toBe('http://localhost:0/api/uploads');
    c.bindUploadPort(41235);
    c.bindPort(41234);
    expect(c.port).toBe(41234);
    expect(c.publicUrl).toBe('http://localhost:41234');
    expect(c.runtime.sessionUploadUrl).toBe('http://localhost:41235/api/uploads');

    // The upload API is never under PUBLIC_URL (the portal's address): it has its own port.
    const publicOnly = loadConfig({ TRIALHUB_DATA_DIR: dataDir(), PORT: '0', PUBLIC_URL: 'https://trialhub.example.com/', NOTEBOOK_DOMAIN: 'notebooks.example.net' });
    publicOnly.bindUploadPort(41235);
    publicOnly.bindPort(41234);
    expect(publicOnly.publicUrl).toBe('https://trialhub.example.com');
    expect(publicOnly.runtime.sessionUploadUrl).toBe('http://localhost:41235/api/uploads');

    const uploadOnly = loadConfig({ TRIALHUB_DATA_DIR: dataDir(), PORT: '0', SESSION_UPLOAD_URL: 'http://trialhub.trialhub.svc:3001/api/uploads' });
    uploadOnly.bindUploadPort(41235);
    uploadOnly.bindPort(41234);
    expect(uploadOnly.publicUrl).toBe('http://localhost:41234');
    expect(uploadOnly.runtime.sessionUploadUrl).toBe('http://trialhub.trialhub.svc:3001/api/uploads');
  });

  it('puts the upload listener on UPLOAD_PORT, by default the port after PORT, and never on PORT itself', () => {
    expect(loadConfig({ TRIALHUB_DATA_DIR: dataDir() }).uploadPort).toBe(3001);
    expect(loadConfig({ TRIALHUB_DATA_DIR: dataDir() }).runtime.sessionUploadUrl).toBe('http://localhost:3001/api/uploads');
    expect(loadConfig({ TRIALHUB_DATA_DIR: dataDir(), PORT: '8080' }).uploadPort).toBe(8081);
    expect(loadConfig({ TRIALHUB_DATA_DIR: dataDir(), PORT: '8080', UPLOAD_PORT: '9000' }).uploadPort).toBe(9000);
    expect(() => validateEnvironment({ PORT: '8080', UPLOAD_PORT: '8080' })).toThrow(/UPLOAD_PORT must differ from PORT/);
    expect(() => validateEnvironment({ PORT: '65535' })).toThrow(/UPLOAD_PORT must be set when PORT is 65535/);
    expect(() => validateEnvironment({ UPLOAD_PORT: 'uploads' })).toThrow(/UPLOAD_PORT must be a port number/);
  });

  it('refuses the local runtime in production unless explicitly allowed, and says why', () => {
    const secret = { SESSION_SECRET: 'x'.repeat(32) };
    expect(() => validateEnvironment({ NODE_ENV: 'production', ...secret })).toThrow(/RUNTIME=local is refused when NODE_ENV=production: its notebook kernels run as this server's own OS user/);
    expect(() => validateEnvironment({ NODE_ENV: 'production', RUNTIME: 'local', ...secret })).toThrow(/LOCAL_RUNTIME_IN_PRODUCTION=allow/);
    expect(validateEnvironment({ NODE_ENV: 'production', RUNTIME: 'local', LOCAL_RUNTIME_IN_PRODUCTION: 'allow', ...secret }).RUNTIME).toBe('local');
    expect(validateEnvironment({ NODE_ENV: 'production', RUNTIME: 'kubernetes', ...secret }).RUNTIME).toBe('kubernetes');
    expect(validateEnvironment({ NODE_ENV: 'development' }).NODE_ENV).toBe('development');
    expect(() => validateEnvironment({ LOCAL_RUNTIME_IN_PRODUCTION: 'yes' })).toThrow(/LOCAL_RUNTIME_IN_PRODUCTION must be "allow"/);
  });

  it('drains for 5 s on shutdown in production (a load balancer to wait for), not at all otherwise; the timeout is 20 s', () => {
    expect(loadConfig({ TRIALHUB_DATA_DIR: dataDir() }).shutdown).toEqual({ drainMs: 0, timeoutMs: 20_000 });
    const production = { NODE_ENV: 'production', RUNTIME: 'kubernetes', SESSION_SECRET: 'x'.repeat(40), TRIALHUB_DATA_DIR: dataDir() };
    expect(loadConfig(production).shutdown).toEqual({ drainMs: 5000, timeoutMs: 20_000 });
    expect(loadConfig({ ...production, SHUTDOWN_DRAIN: '15s', SHUTDOWN_TIMEOUT: '1m' }).shutdown).toEqual({ drainMs: 15_000, timeoutMs: 60_000 });
    expect(() => validateEnvironment({ SHUTDOWN_DRAIN: 'soon', SHUTDOWN_TIMEOUT: '-1' })).toThrow(/SHUTDOWN_DRAIN must be a duration[\s\S]*SHUTDOWN_TIMEOUT must be a duration/);
  });

  it('requires email verification by default once SMTP is configured', () => {
    expect(loadConfig({ TRIALHUB_DATA_DIR: dataDir(), SMTP_URL: 'smtp://127.0.0.1:2525' }).mail.verification).toBe('required');
    expect(loadConfig({ TRIALHUB_DATA_DIR: dataDir(), SMTP_URL: 'smtp://127.0.0.1:2525', EMAIL_VERIFICATION: 'off' }).mail.verification).toBe('off');
  });

  it('generates the session secret once and keeps it across restarts', () => {
    const dir = dataDir();
    const a = loadConfig({ TRIALHUB_DATA_DIR: dir }).secret;
    expect(a.length).toBeGreaterThanOrEqual(32);
    expect(loadConfig({ TRIALHUB_DATA_DIR: dir }).secret).toBe(a);
  });

  it('names every bad variable in one error', () => {
    let error: Error | undefined;
    try {
      validateEnvironment({ PORT: 'eighty', RUNTIME: 'docker', TRIAL_DURATION: 'a day', DATABASE_URL: 'mysql://x', SESSION_SECRET: 'short' });
    } catch (e) {
      error = e as Error;
    }
    expect(error).toBeInstanceOf(ConfigError);
    for (const name of ['PORT', 'RUNTIME', 'TRIAL_DURATION', 'DATABASE_URL', 'SESSION_SECRET']) expect(error!.message).toContain(name);
  });

  it('requires SESSION_SECRET in production', () => {
    expect(() => validateEnvironment({ NODE_ENV: 'production' })).toThrow(/SESSION_SECRET is required/);
  });

  it('lists every validated variable in ENV_NAMES', () => {
    expect(new Set(ENV_NAMES).size).toBe(ENV_NAMES.length);
    expect(ENV_NAMES).toEqual(expect.arrayContaining(['PORT', 'DATABASE_URL', 'RUNTIME', 'KUBECONFIG', 'TRIAL_DURATION', 'ADMIN_EMAIL', 'SMTP_URL', 'EMAIL_VERIFICATION', 'SESSION_SECRET']));
  });

  it('parses durations', () => {
    expect(parseDuration('24h')).toBe(86_400_000);
    expect(parseDuration('90m')).toBe(5_400_000);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('30')).toBe(30_000);
    expect(parseDuration('soon')).toBeNull();
  });
});
