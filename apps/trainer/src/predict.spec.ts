import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeImageDataset, writeTinyModel } from '../../../test/trainer-fixtures/synthetic';
import { selectBackend } from './backend';
import { train } from './train';

const root = resolve(__dirname, '../../..');
let dir: string;
let run: string;

/** `npm run predict -- …` as a child process from the repository root. */
function predictCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['scripts/run-ts.mjs', 'apps/trainer/src/predict-cli.ts', ...args], { cwd: root });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  await selectBackend();
  dir = mkdtempSync(join(tmpdir(), 'trainer-predict-'));
  await writeTinyModel(join(dir, 'model'));
  await writeImageDataset(join(dir, 'images'), { red: 10, blue: 10 });
  await writeImageDataset(join(dir, 'test-images'), { red: 1, blue: 1 }, { prefix: 't', seed: 300 });
  run = join(dir, 'run');
  await train({ out: run, data: join(dir, 'images'), model: join(dir, 'model'), featureOutput: 'features', testImages: join(dir, 'test-images'), cacheDir: join(dir, 'cache'), steps: 200, log: () => undefined });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run predict', () => {
  it('prints the class and confidence of each image, as the run scored it', async () => {
    const images = ['blue/t00.png', 'red/t00.png'].map((i) => join(dir, 'test-images', i));
    const r = await predictCli(['--model', join(run, 'full-model'), ...images]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const beforeAfter = JSON.parse(readFileSync(join(run, 'before-after.json'), 'utf8')) as { image: string; predicted: string; after: Record<string, number> }[];
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    lines.forEach((line, i) => {
      const row = beforeAfter.find((b) => b.image === ['blue/t00.png', 'red/t00.png'][i])!;
      expect(line).toBe(`${images[i]}: ${row.predicted} (${(row.after[row.predicted] * 100).toFixed(1)} %)`);
    });
    // The run folder works too, and --json gives every score.
    const json = await predictCli(['--model', run, '--json', images[0]]);
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout);
    expect(Object.keys(parsed.scores)).toEqual(['blue', 'red']);
    expect(parsed.label).toBe('blue');
  });

  it('names a missing model folder, and one without a full model', async () => {
    const missing = await predictCli(['--model', join(dir, 'nope'), join(dir, 'test-images', 'red', 't00.png')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`The model folder ${join(dir, 'nope')} does not exist.`);
    const headOnly = await predictCli(['--model', join(dir, 'images'), join(dir, 'test-images', 'red', 't00.png')]);
    expect(headOnly.code).toBe(2);
    expect(headOnly.stderr).toMatch(/holds no model\.json/);
    const usage = await predictCli([join(dir, 'test-images', 'red', 't00.png')]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--model DIR is required');
  });

  it('reports a missing or broken image by name, and still predicts the others', async () => {
    writeFileSync(join(dir, 'broken.jpg'), 'not a jpeg');
    const good = join(dir, 'test-images', 'red', 't00.png');
    const r = await predictCli(['--model', run, join(dir, 'missing.jpg'), join(dir, 'broken.jpg'), good]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error: ${join(dir, 'missing.jpg')}: no such file`);
    expect(r.stderr).toMatch(new RegExp(`error: ${join(dir, 'broken.jpg').replace(/[.]/g, '\\.')}: not a readable JPEG/PNG image`));
    expect(r.stdout.trim()).toMatch(new RegExp(`^${good.replace(/[.]/g, '\\.')}: red \\(\\d+\\.\\d %\\)$`));
  });
});
