import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fingerprintRun, listRunFiles, readSavedMarker, SAVED_MARKER, savedState, writeSavedMarker } from './saved-marker';

let run: string;
beforeEach(() => {
  run = mkdtempSync(join(tmpdir(), 'trainer-marker-'));
  mkdirSync(join(run, 'model'));
  writeFileSync(join(run, 'metrics.json'), '{"testAccuracy":0.9}');
  writeFileSync(join(run, 'model', 'weights.bin'), Buffer.from([1, 2, 3]));
});
afterEach(() => rmSync(run, { recursive: true, force: true }));

const mark = (fingerprint: string) => writeSavedMarker(run, { resultId: 'res-1', url: 'https://trialhub.test/results/res-1', runName: 'run-1', fingerprint, files: 2, savedAt: new Date().toISOString() });

describe('the saved-run marker (.trialhub-saved in the run folder)', () => {
  it('fingerprints the files by name, size and content, never the marker itself', async () => {
    const first = await fingerprintRun(run);
    expect(first).toMatch(/^sha256:[0-9a-f]{64}$/);
    mark(first);
    expect(await listRunFiles(run)).toEqual(['metrics.json', 'model/weights.bin']);
    expect(await fingerprintRun(run)).toBe(first);
    writeFileSync(join(run, 'model', 'weights.bin'), Buffer.from([1, 2, 4]));
    expect(await fingerprintRun(run)).not.toBe(first);
    writeFileSync(join(run, 'model', 'weights.bin'), Buffer.from([1, 2, 3]));
    writeFileSync(join(run, 'notes.txt'), 'added later');
    expect(await fingerprintRun(run)).not.toBe(first);
  });

  it('is JSON naming the result, written atomically', () => {
    const written = mark('sha256:abc');
    expect(JSON.parse(readFileSync(join(run, SAVED_MARKER), 'utf8'))).toEqual(written);
    expect(written).toMatchObject({ format: 1, resultId: 'res-1', runName: 'run-1', fingerprint: 'sha256:abc' });
    expect(readSavedMarker(run)).toEqual(written);
  });

  it('tells a saved run from one retrained since and from one never saved', async () => {
    expect(await savedState(run)).toMatchObject({ state: 'unsaved' });
    mark(await fingerprintRun(run));
    expect(await savedState(run)).toMatchObject({ state: 'saved', marker: { resultId: 'res-1' } });
    writeFileSync(join(run, 'metrics.json'), '{"testAccuracy":0.95}');
    expect(await savedState(run)).toMatchObject({ state: 'changed', marker: { resultId: 'res-1' } });
  });

  it('treats an unreadable marker as none, and honours the plain-text marker of earlier versions by time', async () => {
    writeFileSync(join(run, SAVED_MARKER), '{ half a');
    expect(readSavedMarker(run)).toBeNull();
    expect((await savedState(run)).state).toBe('unsaved');

    writeFileSync(join(run, SAVED_MARKER), 'http://localhost:3000/results/abc\n');
    expect(readSavedMarker(run)).toMatchObject({ format: 0, url: 'http://localhost:3000/results/abc' });
    const past = new Date(Date.now() - 60_000);
    utimesSync(join(run, 'metrics.json'), past, past);
    expect((await savedState(run)).state).toBe('saved');
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(run, 'metrics.json'), later, later);
    expect((await savedState(run)).state).toBe('changed');
  });
});
