import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readSavedMarker } from './saved-marker';
import { findRunFolders, saveUnsavedRuns } from './save-unsaved-runs';
import { uploadResults } from './upload';

/** A stand-in for the upload API: records runs, answers complete with a result per run name. */
let server: Server;
let url: string;
let completed: string[];
let puts: number;
let refuse = false;
beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (refuse) return res.writeHead(401, { 'Content-Type': 'application/json' }).end('{"message":"The upload token has expired: the session ended."}');
      const [run, ...rest] = decodeURI(req.url!).replace(/^\/api\/uploads\//, '').split('/');
      if (req.method === 'POST' && rest.join('/') === 'complete') {
        completed.push(run);
        return res.writeHead(201, { 'Content-Type': 'application/json' }).end(JSON.stringify({ resultId: `result-${run}`, url: `https://trialhub.test/results/${run}` }));
      }
      puts += 1;
      res.writeHead(201).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/uploads`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

let work: string;
const write = (path: string, content: string) => {
  mkdirSync(join(work, path, '..'), { recursive: true });
  writeFileSync(join(work, path), content);
};
beforeEach(() => {
  completed = [];
  puts = 0;
  refuse = false;
  work = mkdtempSync(join(tmpdir(), 'trainer-stop-save-'));
  write('results/evening/metrics.json', JSON.stringify({ classes: ['pool', 'no-pool'], testAccuracy: 0.875 }));
  write('results/evening/model/weights.bin', 'weights');
  write('results/experiments/seed/metrics.json', JSON.stringify({ classes: ['pool', 'no-pool'], testAccuracy: 0.846 }));
  write('results/half-done/history.json', '[]');
  return () => rmSync(work, { recursive: true, force: true });
});

describe('saving the unsaved runs when a session stops', () => {
  it('finds finished runs one or two levels under results/', () => {
    expect(findRunFolders(join(work, 'results')).map((d) => d.slice(work.length + 1))).toEqual(['results/evening', 'results/experiments/seed']);
  });

  it('skips a run the notebook saved, saves the others once, and a retrained run again', async () => {
    // The notebook's save cell (or the CLI) uploads a run: its folder records it.
    await uploadResults({ dir: join(work, 'results/evening'), uploadUrl: url, token: 't', runName: 'from-the-notebook' });
    expect(completed).toEqual(['from-the-notebook']);

    const lines: string[] = [];
    const first = await saveUnsavedRuns({ workDir: work, uploadUrl: url, token: 't', print: (l) => lines.push(l) });
    expect(first.alreadySaved).toEqual(['results/evening']);
    expect(first.saved).toEqual([expect.objectContaining({ folder: 'results/experiments/seed', runName: expect.stringMatching(/^experiments-seed-\d{8}-\d{6}$/), files: 1 })]);
    expect(completed).toEqual(['from-the-notebook', first.saved[0].runName]);
    expect(readSavedMarker(join(work, 'results/experiments/seed'))).toMatchObject({ resultId: `result-${first.saved[0].runName}` });
    expect(lines.join('\n')).toContain('1 run(s) were saved already: results/evening');

    completed = [];
    puts = 0;
    const again = await saveUnsavedRuns({ workDir: work, uploadUrl: url, token: 't', print: (l) => lines.push(l) });
    expect(again.saved).toEqual([]);
    expect(completed.length + puts).toBe(0);
    expect(lines.at(-1)).toMatch(/all 2 run\(s\) in .* are saved already/);

    // Retrained in the same folder: new metrics, new weights.
    write('results/evening/metrics.json', JSON.stringify({ classes: ['pool', 'no-pool'], testAccuracy: 0.9 }));
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(work, 'results/evening/metrics.json'), later, later);
    const retrained = await saveUnsavedRuns({ workDir: work, uploadUrl: url, token: 't', print: (l) => lines.push(l) });
    expect(retrained.saved.map((s) => s.folder)).toEqual(['results/evening']);
    expect(retrained.saved[0].runName).toMatch(/^evening-\d{8}-\d{6}$/);
    expect(lines.at(-2)).toContain('retrained since it was last saved');
    expect(readSavedMarker(join(work, 'results/evening'))).toMatchObject({ runName: retrained.saved[0].runName });
  });

  it('reports a refused upload per run and records nothing, so the next stop tries again', async () => {
    refuse = true;
    const lines: string[] = [];
    const outcome = await saveUnsavedRuns({ workDir: work, uploadUrl: url, token: 't', print: (l) => lines.push(l) });
    expect(outcome.failed.map((f) => f.folder)).toEqual(['results/evening', 'results/experiments/seed']);
    expect(lines[0]).toMatch(/could not save results\/evening: .*The upload token has expired/);
    expect(readSavedMarker(join(work, 'results/evening'))).toBeNull();
  });

  it('says so when there is nothing to save', async () => {
    const lines: string[] = [];
    const empty = mkdtempSync(join(tmpdir(), 'trainer-stop-save-empty-'));
    expect((await saveUnsavedRuns({ workDir: empty, uploadUrl: url, token: 't', print: (l) => lines.push(l) })).runs).toEqual([]);
    expect(lines).toEqual([expect.stringContaining('no training runs')]);
    rmSync(empty, { recursive: true });
  });
});
