import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeBottleneckDataset } from '../../../test/trainer-fixtures/synthetic';
import { selectBackend } from './backend';
import { parseCliArgs } from './cli-args';

const root = resolve(__dirname, '../../..');
let dir: string;
let backend: string;
beforeAll(async () => {
  // The child process chooses the same way (on a GPU image: tfjs-node-gpu; here: wasm).
  backend = (await selectBackend()).name;
  dir = mkdtempSync(join(tmpdir(), 'trainer-cli-'));
  writeBottleneckDataset(join(dir, 'bn'), { cats: 30, dogs: 30 }, 12);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the CLI the way `npm run train -- …` does, from the repository root. */
function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['scripts/run-ts.mjs', 'apps/trainer/src/cli.ts', ...args], { cwd: root, env: { ...process.env, TRIALHUB_UPLOAD_URL: '', TRIALHUB_UPLOAD_TOKEN: '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

describe('the trainer CLI', () => {
  it('trains on bottlenecks, prints JSON-lines events, uploads with the env token', async () => {
    const puts: string[] = [];
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (req.method === 'PUT') {
          puts.push(req.url!);
          res.writeHead(200).end();
        } else res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"resultId":"r1","url":"http://127.0.0.1/share/r1"}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/uploads`;
      const out = join(dir, 'out');
      const r = await runCli(['--out', out, '--bottlenecks', join(dir, 'bn'), '--steps', '50', '--run-name', 'cli-run'], { TRIALHUB_UPLOAD_URL: url, TRIALHUB_UPLOAD_TOKEN: 'tok' });
      expect(r.stderr).toContain(`trainer: TensorFlow.js backend ${backend}`);
      expect(r.code).toBe(0);
      const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
      expect(events[0]).toMatchObject({ type: 'start', backend, mode: 'default', classes: ['cats', 'dogs'] });
      expect(events.every((e) => typeof e.at === 'string')).toBe(true);
      expect(events.find((e) => e.type === 'done')).toMatchObject({ out });
      expect(events.at(-1)).toEqual({ type: 'uploaded', resultId: 'r1', url: 'http://127.0.0.1/share/r1', files: 11, at: expect.any(String) });
      expect(puts).toContain('/api/uploads/cli-run/metrics.json');
      expect(JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')).steps).toBe(50);
    } finally {
      server.close();
    }
  });

  it('exits 2 with a message a person can act on for bad input', async () => {
    const r = await runCli(['--out', join(dir, 'x'), '--bottlenecks', join(dir, 'bn', 'cats')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error: Found no class folders in .*make one sub-folder per class/);
    expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!)).toMatchObject({ type: 'error' });
    const none = await runCli(['--out', join(dir, 'x')]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/Give at least one of --data and --bottlenecks/);
  });
});

describe('CLI arguments', () => {
  it('maps flags onto train options', () => {
    const cli = parseCliArgs(['--out', 'o', '--data', 'd', '--model', 'http://m/', '--seed-compatible', '--steps', '20', '--seed', '4', '--input-range', '0,1', '--upload', 'http://cp/api/uploads', '--token', 't'], {});
    expect(cli.train).toMatchObject({ out: 'o', data: 'd', model: 'http://m/', mode: 'seed-compatible', steps: 20, seed: 4, inputRange: '0,1' });
    expect(cli.upload).toEqual({ url: 'http://cp/api/uploads', token: 't', runName: undefined, title: undefined });
  });

  it('names the backbone and turns the full-model export off on request', () => {
    expect(parseCliArgs(['--out', 'o', '--data', 'd'], {}).train).toMatchObject({ exportFullModel: true, modelName: undefined });
    const cli = parseCliArgs(['--out', 'o', '--data', 'd', '--model-name', 'Inception v3', '--model-version', '2015-12-05', '--no-full-model'], {});
    expect(cli.train).toMatchObject({ modelName: 'Inception v3', modelVersion: '2015-12-05', exportFullModel: false });
  });

  it('rejects bad values with the flag named', () => {
    expect(() => parseCliArgs(['--out', 'o', '--data', 'd', '--steps', 'ten'], {})).toThrow('--steps must be a whole number of at least 1 (got "ten").');
    expect(() => parseCliArgs(['--out', 'o', '--data', 'd', '--input-range', '1,2'], {})).toThrow(/--input-range must be one of/);
    expect(() => parseCliArgs(['--out', 'o', '--data', 'd', '--frobnicate'], {})).toThrow(/Unknown option '--frobnicate'/);
    expect(() => parseCliArgs(['--out', 'o', '--data', 'd', '--upload', 'http://x'], {})).toThrow(/--upload needs --token/);
  });
});
