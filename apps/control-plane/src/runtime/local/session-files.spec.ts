import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pythonOf } from './jupyter-setup';
import { logTail } from './log-tail';
import { SessionRecord, SessionRecords } from './session-record';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'trialhub-local-unit-'));
  dirs.push(d);
  return d;
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const record = (sessionId: string): SessionRecord => ({
  sessionId, trialId: '00000000-0000-4000-8000-000000000001', installationId: 'default', pid: 123, port: 4000, baseUrl: `/notebook/${sessionId}/`,
  mode: 'jupyter', startedAt: new Date(0).toISOString(), trialExpiresAt: new Date(1).toISOString(), tokenHash: 'h', uploadUrl: 'u', uploadToken: 't', logFile: '/x.log',
});

describe('session state files', () => {
  it('are written privately, read back, listed and removed', () => {
    const records = new SessionRecords(join(tempDir(), 'sessions'));
    const id = '3f2c9a4e-1b2d-4c5e-8f90-123456789abc';
    records.write(record(id));
    expect(records.read(id)).toEqual(record(id));
    expect(records.all().map((r) => r.sessionId)).toEqual([id]);
    expect(statSync(records.dir).mode & 0o777).toBe(0o700);
    records.remove(id);
    expect(records.read(id)).toBeNull();
  });

  it('never turn something that is not a session id into a path', () => {
    const records = new SessionRecords(join(tempDir(), 'sessions'));
    expect(records.read('../../etc/passwd')).toBeNull();
    expect(() => records.write(record('../../etc/passwd'))).toThrow(/Not a session id/);
    expect(() => records.remove('../x')).toThrow(/Not a session id/);
  });

  it('skip a corrupt file instead of failing the restart', () => {
    const records = new SessionRecords(join(tempDir(), 'sessions'));
    records.ensureDir();
    writeFileSync(join(records.dir, '3f2c9a4e-1b2d-4c5e-8f90-123456789abc.json'), '{ half a reco');
    expect(records.all()).toEqual([]);
  });
});

describe('logTail', () => {
  it('gives the last non-empty lines, and nothing for a missing file', () => {
    const file = join(tempDir(), 'x.log');
    writeFileSync(file, Array.from({ length: 40 }, (_, i) => `line ${i}`).join('\n\n') + '\n');
    expect(logTail(file, 3)).toBe('line 37\nline 38\nline 39');
    expect(logTail(join(tempDir(), 'missing.log'))).toBe('');
  });
});

describe('pythonOf', () => {
  it("reads the interpreter from the jupyter script's #! line", () => {
    const script = join(tempDir(), 'jupyter');
    writeFileSync(script, `#!${process.execPath}\nprint("hi")\n`);
    expect(pythonOf(script)).toBe(process.execPath);
  });
});
