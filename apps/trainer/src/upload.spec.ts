import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fingerprintRun, SAVED_MARKER } from './saved-marker';
import { defaultRunName, uploadResults } from './upload';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

/** A stand-in for the control plane's artifact API that records what it receives. */
let server: Server;
let base: string;
let received: Received[];
let failOn: { path: string; status: number; body: string } | undefined;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks) });
      if (req.headers.authorization !== 'Bearer secret-token') {
        res.writeHead(401, { 'Content-Type': 'application/json' }).end(JSON.stringify({ statusCode: 401, message: 'The upload token is not valid for this session.' }));
      } else if (failOn && req.url!.endsWith(failOn.path)) {
        res.writeHead(failOn.status, { 'Content-Type': 'application/json' }).end(failOn.body);
      } else if (req.method === 'POST' && req.url!.endsWith('/complete')) {
        res.writeHead(201, { 'Content-Type': 'application/json' }).end(JSON.stringify({ resultId: 'res-42', url: 'http://127.0.0.1/r/abc' }));
      } else {
        res.writeHead(204).end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/uploads`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

let dir: string;
beforeEach(() => {
  received = [];
  failOn = undefined;
  dir = mkdtempSync(join(tmpdir(), 'trainer-upload-'));
  mkdirSync(join(dir, 'run', 'model'), { recursive: true });
  writeFileSync(join(dir, 'run', 'metrics.json'), '{"testAccuracy":0.9}');
  writeFileSync(join(dir, 'run', 'report.html'), '<html></html>');
  writeFileSync(join(dir, 'run', 'model', 'weights.bin'), Buffer.from([0, 1, 2, 255]));
  writeFileSync(join(dir, 'run', 'model', 'my model.json'), '{}');
  return () => rmSync(dir, { recursive: true, force: true });
});

describe('uploading results to the control plane', () => {
  it('PUTs each file raw with its type and the token, then POSTs complete with the title', async () => {
    const uploaded: string[] = [];
    const result = await uploadResults({ dir: join(dir, 'run'), uploadUrl: base + '/', token: 'secret-token', runName: 'run-1', title: 'Pools', onFile: (f) => uploaded.push(f) });
    expect(result).toEqual({
      resultId: 'res-42', url: 'http://127.0.0.1/r/abc', runName: 'run-1', files: ['metrics.json', 'model/my model.json', 'model/weights.bin', 'report.html'],
      fingerprint: await fingerprintRun(join(dir, 'run')), markerError: null,
    });
    expect(uploaded).toEqual(result.files);
    const puts = received.filter((r) => r.method === 'PUT');
    expect(puts.map((r) => [r.url, r.headers['content-type']])).toEqual([
      ['/api/uploads/run-1/metrics.json', 'application/json'],
      ['/api/uploads/run-1/model/my%20model.json', 'application/json'],
      ['/api/uploads/run-1/model/weights.bin', 'application/octet-stream'],
      ['/api/uploads/run-1/report.html', 'text/html; charset=utf-8'],
    ]);
    expect(puts.every((r) => r.headers.authorization === 'Bearer secret-token')).toBe(true);
    expect([...puts[2].body]).toEqual([0, 1, 2, 255]);
    expect(puts[0].body.toString()).toBe('{"testAccuracy":0.9}');
    expect(puts[0].headers['content-type']).not.toMatch(/multipart/);
    const complete = received.at(-1)!;
    expect(complete).toMatchObject({ method: 'POST', url: '/api/uploads/run-1/complete' });
    expect(JSON.parse(complete.body.toString())).toEqual({ title: 'Pools' });
  });

  it('records in the run folder that the run was saved, and never uploads that record', async () => {
    const first = await uploadResults({ dir: join(dir, 'run'), uploadUrl: base, token: 'secret-token', runName: 'run-1' });
    const marker = JSON.parse(readFileSync(join(dir, 'run', SAVED_MARKER), 'utf8'));
    expect(marker).toEqual({ format: 1, resultId: 'res-42', url: 'http://127.0.0.1/r/abc', runName: 'run-1', fingerprint: first.fingerprint, files: 4, savedAt: expect.any(String) });
    received = [];
    const second = await uploadResults({ dir: join(dir, 'run'), uploadUrl: base, token: 'secret-token', runName: 'run-2' });
    expect(second.files).toEqual(first.files);
    expect(second.fingerprint).toBe(first.fingerprint);
    expect(received.map((r) => r.url)).not.toContain(`/api/uploads/run-2/${SAVED_MARKER}`);
  });

  it('records nothing when the upload fails', async () => {
    failOn = { path: '/complete', status: 500, body: 'boom' };
    await expect(uploadResults({ dir: join(dir, 'run'), uploadUrl: base, token: 'secret-token', runName: 'r' })).rejects.toThrow();
    expect(() => readFileSync(join(dir, 'run', SAVED_MARKER))).toThrow();
  });

  it("turns a non-2xx answer into an error naming the file and the server's message", async () => {
    failOn = { path: '/model/weights.bin', status: 413, body: JSON.stringify({ statusCode: 413, message: 'Storage quota exceeded (500 MB).' }) };
    await expect(uploadResults({ dir: join(dir, 'run'), uploadUrl: base, token: 'secret-token', runName: 'r' })).rejects.toThrow(
      'Uploading model/weights.bin failed with HTTP 413: Storage quota exceeded (500 MB).',
    );
    await expect(uploadResults({ dir: join(dir, 'run'), uploadUrl: base, token: 'wrong', runName: 'r' })).rejects.toThrow(/metrics\.json failed with HTTP 401: The upload token is not valid/);
  });

  it('reports a failing complete step and an unreachable server clearly', async () => {
    failOn = { path: '/complete', status: 500, body: 'boom' };
    await expect(uploadResults({ dir: join(dir, 'run'), uploadUrl: base, token: 'secret-token', runName: 'r' })).rejects.toThrow('Completing the upload failed with HTTP 500: boom');
    await expect(uploadResults({ dir: join(dir, 'run'), uploadUrl: 'http://127.0.0.1:1/api', token: 't', runName: 'r' })).rejects.toThrow(/Uploading metrics\.json to http:\/\/127\.0\.0\.1:1 failed/);
    await expect(uploadResults({ dir: join(dir, 'run'), uploadUrl: 'ftp://x', token: 't' })).rejects.toThrow(/must start with http/);
    await expect(uploadResults({ dir: join(dir, 'missing'), uploadUrl: base, token: 't' })).rejects.toThrow(/Nothing to upload/);
  });

  it('names a run after its folder and the time by default', () => {
    expect(defaultRunName('/data/out/pool run/', new Date('2025-03-04T05:06:07Z'))).toBe('pool-run-20250304-050607');
  });
});
