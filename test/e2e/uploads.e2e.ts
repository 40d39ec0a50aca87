import { request } from 'node:http';
import { connect } from 'node:net';
import { utimesSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactSweep } from '../../apps/control-plane/src/artifacts/artifact-sweep';
import { SessionTokens } from '../../apps/control-plane/src/sessions/session-tokens';
import { startTestServer, TestServer, uploadApiUrl } from '../support/server';
import { completeRun, filesUnder, METRICS, Owner, ownerWithSession, png, putFile, sql } from './results-support';

/** A PUT with the path sent byte for byte (fetch would resolve "..", "%2e%2e" and friends before sending). */
function rawPut(server: TestServer, path: string, token: string, body: string | Buffer = '{}'): Promise<{ status: number; body: any }> {
  const url = new URL(server.uploadUrl);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method: 'PUT', path, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString() || 'null') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('uploads: every bad upload is refused with a clear 4xx and leaves nothing behind', () => {
  let server: TestServer;
  let storeDir: string;
  let owner: Owner;

  /** The store's files and the artifact rows: what "nothing left behind" compares. */
  const snapshot = async () => ({
    files: filesUnder(storeDir),
    rows: (await sql<{ n: string }>(server, `SELECT count(*) AS n FROM artifacts`))[0].n,
  });

  beforeAll(async () => {
    server = await startTestServer();
    storeDir = server.config.artifacts.dir;
    owner = await ownerWithSession(server, 'uploader@example.com');
    // One good file, so the run exists and the checks below compare against a non-empty store.
    expect((await putFile(server, owner.token, 'run-a', 'labels.txt', 'pool\nno pool\n')).status).toBe(201);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('refuses names that leave the run or hide characters: traversal, absolute, NUL, control characters, backslashes, too deep or long', async () => {
    const before = await snapshot();
    const bad: Array<[string, RegExp]> = [
      ['/api/uploads/run-a/../../etc/passwd', /"\." or "\.\."/],
      ['/api/uploads/run-a/%2e%2e/%2e%2e/secret', /"\." or "\.\."/],
      ['/api/uploads/run-a/model/..%2F..%2Fescape.json', /"\." or "\.\."|parts/],
      ['/api/uploads/run-a/%2Fetc%2Fpasswd', /relative|empty part/],
      ['/api/uploads/run-a//double.txt', /relative|empty part/],
      ['/api/uploads/run-a/nul%00byte.txt', /control characters/],
      // A newline defeats the route exclusion of the API-wide JSON check (app.module), which then refuses it first (415).
      ['/api/uploads/run-a/new%0Aline.txt', /control characters|as JSON/],
      ['/api/uploads/run-a/back%5Cslash.txt', /backslashes/],
      ['/api/uploads/run-a/bad%ZZescape.txt', /percent-encoded|Failed to decode/],
      [`/api/uploads/run-a/${Array.from({ length: 13 }, () => 'd').join('/')}/x.txt`, /deeper than/],
      [`/api/uploads/run-a/${'a'.repeat(129)}.txt`, /longer than 128/],
      ['/api/uploads/..%2Frun/x.txt', /run name/],
      ['/api/uploads/onlyrun', /\/api\/uploads\/<run name>\/<file path>/],
    ];
    for (const [path, message] of bad) {
      const r = await rawPut(server, path, owner.token, 'hello');
      expect([400, 415], path).toContain(r.status);
      expect(r.body.message, path).toMatch(message);
    }
    expect(await snapshot()).toEqual(before);
  });

  it('accepts only the session\'s current upload token, never a user credential', async () => {
    const before = await snapshot();
    const tokens = server.app.get(SessionTokens);
    const userToken = (await owner.api.post('/api/auth/login', { email: 'uploader@example.com', password: 'correct-horse-battery' })).body.token;
    const cases: Array<[string | null, RegExp]> = [
      [null, /Authorization: Bearer <upload token>/],
      ['not-a-token', /not valid/],
      [owner.token.slice(0, -2) + (owner.token.endsWith('AA') ? 'BB' : 'AA'), /not valid/],
      [userToken, /not valid/],
      [tokens.uploadToken(owner.sessionId, 0), /earlier launch/],
      [tokens.uploadToken('00000000-0000-4000-8000-000000000000', 1), /no longer exists/],
    ];
    for (const [token, message] of cases) {
      const r = await putFile(server, token, 'run-a', 'metrics.json', JSON.stringify(METRICS));
      expect(r.status).toBe(401);
      expect(r.body.message).toMatch(message);
    }
    // The user's own session cookie does not open the upload API either (and the main port has none).
    const cookieOnly = await fetch(`${uploadApiUrl(server)}/run-a/metrics.json`, { method: 'PUT', headers: { cookie: `trialhub_session=${userToken}`, 'content-type': 'application/json' }, body: JSON.stringify(METRICS) });
    expect(cookieOnly.status).toBe(401);
    const mainPort = await owner.api.request('PUT', '/api/uploads/run-a/metrics.json', JSON.stringify(METRICS), { 'content-type': 'application/json', authorization: `Bearer ${owner.token}` });
    expect(mainPort.status).toBe(404);
    expect(mainPort.body.message).toMatch(/uploads have their own port/);
    expect(await snapshot()).toEqual(before);
  });

  it('enforces the per-file limit (before reading, and while streaming a body of unknown length) and the per-user storage', async () => {
    await sql(server, `INSERT INTO settings (key, value) VALUES ('maxUploadFileBytes', '1048576')`);
    try {
      const before = await snapshot();
      const big = Buffer.alloc(2 * 1024 * 1024, 1);
      const declared = await putFile(server, owner.token, 'run-a', 'model/big.bin', big);
      expect(declared.status).toBe(413);
      expect(declared.body.message).toMatch(/larger than the 1\.0 MiB a single file may have/);
      // Chunked: no Content-Length, so the limit is only found while streaming.
      const chunked = await putFile(server, owner.token, 'run-a', 'model/big.bin', new Blob([big]).stream() as any, {}, { duplex: 'half' });
      expect(chunked.status).toBe(413);
      expect(await snapshot()).toEqual(before);

      const user = await ownerWithSession(server, 'small-quota@example.com');
      await sql(server, `INSERT INTO user_quotas (user_id, storage_bytes) VALUES ($1, $2)`, [user.userId, 1_500_000]);
      expect((await putFile(server, user.token, 'q', 'a.bin', Buffer.alloc(900_000, 2))).status).toBe(201);
      const over = await putFile(server, user.token, 'q', 'b.bin', Buffer.alloc(900_000, 3));
      expect(over.status).toBe(413);
      expect(over.body.message).toMatch(/does not fit in your storage/);
      // Replacing a file counts only the difference.
      expect((await putFile(server, user.token, 'q', 'a.bin', Buffer.alloc(1_000_000, 4))).status).toBe(201);
    } finally {
      await sql(server, `DELETE FROM settings WHERE key = 'maxUploadFileBytes'`);
    }
  });

  (globalThis as any).ReadableStream && it('refuses content that does not match its extension or declared type', async () => {
    const before = await snapshot();
    const cases: Array<[string, string | Buffer, Record<string, string>, RegExp]> = [
      ['photo.png', 'definitely not a png', {}, /does not look like a PNG image/],
      ['photo.jpg', await png(), {}, /does not look like a JPEG image/],
      ['metrics.json', '{"testAccuracy": 0.9,', {}, /not valid JSON/],
      ['notes.txt', Buffer.from([0x68, 0x00, 0x69]), {}, /binary data/],
      ['metrics.json', JSON.stringify(METRICS), { 'content-type': 'image/png' }, /extension means application\/json/],
    ];
    for (const [name, body, headers, message] of cases) {
      const r = await putFile(server, owner.token, 'run-a', name, body, headers);
      expect(r.status, name).toBe(415);
      expect(r.body.message, name).toMatch(message);
    }
    expect(await snapshot()).toEqual(before);
  });

  it('leaves nothing behind when the client disconnects mid-body', async () => {
    const before = await snapshot();
    const url = new URL(server.uploadUrl);
    await new Promise<void>((resolve) => {
      const socket = connect(Number(url.port), url.hostname, () => {
        socket.write(`PUT /api/uploads/run-a/model/weights.bin HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${owner.token}\r\nContent-Type: application/octet-stream\r\nContent-Length: 1000000\r\n\r\n`);
        socket.write(Buffer.alloc(300_000, 7), () => setTimeout(() => socket.destroy(), 100));
      });
      socket.on('close', () => resolve());
      socket.on('error', () => undefined);
    });
    // The server notices the cut, removes its temporary file and saves no row.
    const deadline = Date.now() + 5000;
    while (JSON.stringify(await snapshot()) !== JSON.stringify(before) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await snapshot()).toEqual(before);
  });

  it('skips identical re-uploads, replaces changed files, and freezes a run once complete', async () => {
    const first = await putFile(server, owner.token, 'run-b', 'metrics.json', JSON.stringify(METRICS), { 'content-type': 'application/json' });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ name: 'metrics.json', skipped: false, contentType: 'application/json' });
    const again = await putFile(server, owner.token, 'run-b', 'metrics.json', JSON.stringify(METRICS), { 'content-type': 'application/json' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ skipped: true, sha256: first.body.sha256 });
    const [{ storage_key: oldKey }] = await sql<{ storage_key: string }>(server, `SELECT a.storage_key FROM artifacts a JOIN results r ON r.id = a.result_id WHERE r.run_name = 'run-b'`);
    const changed = await putFile(server, owner.token, 'run-b', 'metrics.json', JSON.stringify({ ...METRICS, testAccuracy: 0.9 }));
    expect(changed.status).toBe(201);
    expect(changed.body.sha256).not.toBe(first.body.sha256);
    expect(filesUnder(storeDir)).not.toContain(oldKey);
    expect(await sql(server, `SELECT 1 FROM artifacts a JOIN results r ON r.id = a.result_id WHERE r.run_name = 'run-b'`)).toHaveLength(1);

    const done = await completeRun(server, owner.token, 'run-b', { title: 'Run B' });
    expect(done.status).toBe(201);
    expect((await completeRun(server, owner.token, 'run-b')).body.resultId).toBe(done.body.resultId);
    expect((await owner.api.get(`/api/results/${done.body.resultId}`)).body.metrics.testAccuracy).toBe(0.9);
    const frozen = await putFile(server, owner.token, 'run-b', 'metrics.json', JSON.stringify(METRICS));
    expect(frozen.status).toBe(409);
    expect(frozen.body.message).toMatch(/is complete/);
    expect((await putFile(server, owner.token, 'run-b', 'metrics.json', JSON.stringify({ ...METRICS, testAccuracy: 0.9 }))).status).toBe(200);
  });

  it('completes only runs with a valid metrics.json, with clear messages otherwise', async () => {
    expect((await completeRun(server, owner.token, 'never-uploaded')).body.message).toMatch(/No files were uploaded/);
    await putFile(server, owner.token, 'no-metrics', 'labels.txt', 'a\nb\n');
    const missing = await completeRun(server, owner.token, 'no-metrics');
    expect(missing.status).toBe(422);
    expect(missing.body.message).toMatch(/has no metrics.json/);
    await putFile(server, owner.token, 'bad-metrics', 'metrics.json', JSON.stringify({ testAccuracy: 7, classes: [] }));
    const invalid = await completeRun(server, owner.token, 'bad-metrics');
    expect(invalid.status).toBe(422);
    expect(invalid.body.message).toMatch(/testAccuracy must be a number between 0 and 1.*classes must be a non-empty list/);
    await putFile(server, owner.token, 'titled', 'metrics.json', JSON.stringify({ ...METRICS, testAccuracy: null }));
    expect((await completeRun(server, owner.token, 'titled', { title: 'x', color: 'red' })).body.message).toMatch(/Unknown field "color"/);
    const untitled = await completeRun(server, owner.token, 'titled', {});
    expect(untitled.status).toBe(201);
    const result = (await owner.api.get(`/api/results/${untitled.body.resultId}`)).body;
    // No title sent: one that says what the run was (no headline here: its test accuracy is null).
    expect(result.title).toBe('titled: house_with_pool vs house_without_pool, seed-compatible mode');
    expect(result.metrics.testAccuracy).toBeNull();
    // A complete run cannot change, but for its notebook from the same session (the executed notebook, sent at stop).
    const notebook = JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [{ cell_type: 'code', source: '1', metadata: {}, outputs: [{ output_type: 'stream', name: 'stdout', text: '1' }], execution_count: 1 }] });
    expect((await putFile(server, owner.token, 'titled', 'notebook.ipynb', notebook)).status).toBe(201);
    const changed = await putFile(server, owner.token, 'titled', 'labels.txt', 'c\n');
    expect(changed.status).toBe(409);
    expect(changed.body.message).toMatch(/is complete and cannot change/);
    // Unfinished runs are not results.
    expect((await owner.api.get('/api/results')).body.map((r: any) => r.title)).not.toContain('no-metrics');
  });

  it('takes uploads while the session is stopping (preStop hook) and refuses them once it has ended', async () => {
    const user = await ownerWithSession(server, 'stopper@example.com');
    await sql(server, `UPDATE sessions SET state = 'stopping' WHERE id = $1`, [user.sessionId]);
    expect((await putFile(server, user.token, 'late', 'metrics.json', JSON.stringify(METRICS))).status).toBe(201);
    await sql(server, `UPDATE sessions SET state = 'stopped', stopped_at = now() WHERE id = $1`, [user.sessionId]);
    const before = await snapshot();
    const refused = await putFile(server, user.token, 'late', 'labels.txt', 'a\n');
    expect(refused.status).toBe(410);
    expect(refused.body.message).toBe('This session has ended; uploads are closed.');
    expect((await completeRun(server, user.token, 'late')).status).toBe(410);
    expect(await snapshot()).toEqual(before);
  });

  it('sweeps store files the database does not know, and drops rows whose file is gone', async () => {
    const sweep = server.app.get(ArtifactSweep);
    mkdirSync(join(storeDir, 'results/stray'), { recursive: true });
    const stray = join(storeDir, 'results/stray/leftover');
    writeFileSync(stray, 'from a crash');
    const fresh = join(storeDir, 'results/stray/in-flight');
    writeFileSync(fresh, 'an upload still running');
    const old = new Date(Date.now() - 2 * 3600 * 1000);
    utimesSync(stray, old, old);
    await putFile(server, owner.token, 'sweep', 'labels.txt', 'x\n');
    const [victim] = await sql<{ id: string; storage_key: string }>(server, `SELECT a.id, a.storage_key FROM artifacts a JOIN results r ON r.id = a.result_id WHERE r.run_name = 'sweep'`);
    rmSync(join(storeDir, victim.storage_key));

    const report = await sweep.sweep();
    expect(report).toEqual({ orphansDeleted: 1, missingRowsDeleted: 1 });
    expect(filesUnder(storeDir)).not.toContain('results/stray/leftover');
    expect(filesUnder(storeDir)).toContain('results/stray/in-flight');
    expect(await sql(server, `SELECT 1 FROM artifacts WHERE id = $1`, [victim.id])).toEqual([]);
    // With no grace, the young stray goes too; every remaining file is known to the database.
    await sweep.sweep({ graceMs: 0 });
    const keys = (await sql<{ storage_key: string }>(server, `SELECT storage_key FROM artifacts`)).map((r) => r.storage_key).sort();
    expect(filesUnder(storeDir)).toEqual(keys);
  });
});
