import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAVED_MARKER } from '../../apps/trainer/src/saved-marker';
import { uploadResults } from '../../apps/trainer/src/upload';
import { ApiClient } from '../support/http';
import { startTestServer, TestServer, uploadApiUrl } from '../support/server';
import { filesUnder, METRICS, ownerWithSession, sql, writeTrainerOutput } from './results-support';

describe('results: a session saves a training run, the owner manages it', () => {
  let server: TestServer;
  let runDir: string;
  let storeDir: string;

  beforeAll(async () => {
    runDir = mkdtempSync(join(tmpdir(), 'trialhub-run-'));
    await writeTrainerOutput(runDir);
    server = await startTestServer();
    storeDir = server.config.artifacts.dir;
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(runDir, { recursive: true, force: true });
  });

  it('turns an uploaded trainer output folder into a result with the right metrics and files', async () => {
    const owner = await ownerWithSession(server, 'ada@example.com');
    const uploaded = await uploadResults({ dir: runDir, uploadUrl: uploadApiUrl(server), token: owner.token, runName: 'pool-run-1', title: 'Pools, first try' });
    expect(uploaded.url).toBe(`${server.config.publicUrl}/results/${uploaded.resultId}`);
    // Every file of the folder, except the marker the upload leaves there (apps/trainer/src/saved-marker.ts).
    const runFiles = filesUnder(runDir).filter((f) => f !== SAVED_MARKER);
    expect(filesUnder(runDir)).toContain(SAVED_MARKER);
    expect(uploaded.files).toHaveLength(runFiles.length);

    const list = await owner.api.get('/api/results');
    expect(list.status).toBe(200);
    expect(list.body.map((r: any) => r.id)).toEqual([uploaded.resultId]);
    const result = (await owner.api.get(`/api/results/${uploaded.resultId}`)).body;
    expect(result.title).toBe('Pools, first try');
    expect(result.metrics).toMatchObject({ testAccuracy: 0.846, validationAccuracy: 0.8, trainAccuracy: 0.95, testCount: 13, classes: METRICS.classes, steps: 500, mode: 'seed-compatible', backend: 'wasm', seconds: 12.5 });
    expect(result.artifacts.map((a: any) => a.name)).toEqual(runFiles);
    const weights = result.artifacts.find((a: any) => a.name === 'model/weights.bin');
    expect(weights).toMatchObject({ size: readFileSync(join(runDir, 'model/weights.bin')).length, contentType: 'application/octet-stream' });
    expect(weights.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(result.artifacts.find((a: any) => a.name === 'test_images/house_with_pool/pool-1.png').contentType).toBe('image/png');
    // Retention: 30 days from completion by default.
    expect(Date.parse(result.expiresAt) - Date.parse(result.completedAt)).toBe(30 * 24 * 3600 * 1000);
    // The store holds exactly the files the database knows.
    const keys = (await sql<{ storage_key: string }>(server, `SELECT storage_key FROM artifacts`)).map((r) => r.storage_key).sort();
    expect(filesUnder(storeDir).filter((f) => !f.startsWith('.partial/'))).toEqual(keys);
  });

  it('downloads single files (safe types inline with nosniff, HTML as an attachment) and the whole result as a zip', async () => {
    const owner = await ownerWithSession(server, 'grace@example.com');
    const { resultId } = await uploadResults({ dir: runDir, uploadUrl: uploadApiUrl(server), token: owner.token, runName: 'files' });
    const metrics = await owner.api.get(`/api/results/${resultId}/files/metrics.json`);
    expect(metrics.status).toBe(200);
    expect(metrics.body).toEqual(METRICS);
    expect(metrics.headers.get('content-disposition')).toMatch(/^inline/);
    expect(metrics.headers.get('x-content-type-options')).toBe('nosniff');
    const image = await fetch(`${server.url}/api/results/${resultId}/files/test_images/house_with_pool/pool-1.png`, { headers: { cookie: `trialhub_session=${await sessionCookie(owner.api)}` } });
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await image.arrayBuffer())).toEqual(readFileSync(join(runDir, 'test_images/house_with_pool/pool-1.png')));
    const report = await owner.api.get(`/api/results/${resultId}/files/report.html`);
    expect(report.status).toBe(200);
    expect(report.headers.get('content-disposition')).toMatch(/^attachment; filename="report.html"/);
    expect(report.headers.get('content-type')).toBe('application/octet-stream');
    expect(report.headers.get('content-security-policy')).toContain('sandbox');
    const missing = await owner.api.get(`/api/results/${resultId}/files/nope.txt`);
    expect(missing.status).toBe(404);
    expect(missing.body.message).toContain('nope.txt');

    const zip = await fetch(`${server.url}/api/results/${resultId}/download`, { headers: { cookie: `trialhub_session=${await sessionCookie(owner.api)}` } });
    expect(zip.status).toBe(200);
    expect(zip.headers.get('content-type')).toBe('application/zip');
    const bytes = Buffer.from(await zip.arrayBuffer());
    expect(bytes.subarray(0, 2).toString()).toBe('PK');
    // Every file name is in the zip's central directory.
    for (const name of filesUnder(runDir).filter((f) => f !== SAVED_MARKER)) expect(bytes.includes(Buffer.from(name))).toBe(true);
    expect(bytes.includes(Buffer.from(SAVED_MARKER))).toBe(false);
  });

  it('renames and deletes a result; deleting removes its files from the store', async () => {
    const owner = await ownerWithSession(server, 'edsger@example.com');
    const { resultId } = await uploadResults({ dir: runDir, uploadUrl: uploadApiUrl(server), token: owner.token, runName: 'to-delete' });
    const renamed = await owner.api.patch(`/api/results/${resultId}`, { title: '  Better name ' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.title).toBe('Better name');
    expect((await owner.api.patch(`/api/results/${resultId}`, { title: '' })).status).toBe(400);
    expect((await owner.api.patch(`/api/results/${resultId}`, { title: 'x', extra: 1 })).status).toBe(400);
    const keys = (await sql<{ storage_key: string }>(server, `SELECT storage_key FROM artifacts WHERE result_id = $1`, [resultId])).map((r) => r.storage_key);
    expect(keys.length).toBeGreaterThan(5);
    expect((await owner.api.delete(`/api/results/${resultId}`)).status).toBe(204);
    expect((await owner.api.get(`/api/results/${resultId}`)).status).toBe(404);
    const left = filesUnder(storeDir);
    for (const key of keys) expect(left).not.toContain(key);
    expect(await sql(server, `SELECT 1 FROM artifacts WHERE result_id = $1`, [resultId])).toEqual([]);
    const audit = await sql<{ action: string }>(server, `SELECT action FROM audit_events WHERE target_id = $1 ORDER BY id`, [resultId]);
    expect(audit.map((a) => a.action)).toEqual(['result.create', 'result.delete']);
  });

  it('keeps results from another user out of reach: read, rename, delete, download and share all answer 404', async () => {
    const owner = await ownerWithSession(server, 'barbara@example.com');
    const { resultId } = await uploadResults({ dir: runDir, uploadUrl: uploadApiUrl(server), token: owner.token, runName: 'private' });
    const other = new ApiClient(server.url);
    await other.signup('mallory@example.com');
    expect((await other.get('/api/results')).body).toEqual([]);
    for (const r of [
      await other.get(`/api/results/${resultId}`),
      await other.patch(`/api/results/${resultId}`, { title: 'mine now' }),
      await other.delete(`/api/results/${resultId}`),
      await other.get(`/api/results/${resultId}/files/metrics.json`),
      await other.get(`/api/results/${resultId}/download`),
      await other.post(`/api/results/${resultId}/shares`, {}),
      await other.get(`/api/results/${resultId}/shares`),
    ]) {
      expect(r.status).toBe(404);
      expect(r.body.message).toMatch(/no such result/);
    }
    expect((await owner.api.get(`/api/results/${resultId}`)).body.title).toMatch(/^private/);
    // Not logged in at all: 401.
    expect((await new ApiClient(server.url).get(`/api/results/${resultId}`)).status).toBe(401);
  });

  it('keeps the result after the trial ends, until its retention runs out; then the sweep deletes it with its files', async () => {
    const owner = await ownerWithSession(server, 'alan@example.com');
    const { resultId } = await uploadResults({ dir: runDir, uploadUrl: uploadApiUrl(server), token: owner.token, runName: 'outlives' });
    expect((await owner.api.delete('/api/trial')).status).toBe(200);
    const after = await owner.api.get(`/api/results/${resultId}`);
    expect(after.status).toBe(200);
    expect((await owner.api.get(`/api/results/${resultId}/files/metrics.json`)).body).toEqual(METRICS);

    const keys = (await sql<{ storage_key: string }>(server, `SELECT storage_key FROM artifacts WHERE result_id = $1`, [resultId])).map((r) => r.storage_key);
    await sql(server, `UPDATE results SET expires_at = now() - interval '1 second' WHERE id = $1`, [resultId]);
    const deadline = Date.now() + 10_000;
    while ((await owner.api.get(`/api/results/${resultId}`)).status !== 404 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect((await owner.api.get(`/api/results/${resultId}`)).status).toBe(404);
    const left = filesUnder(storeDir);
    for (const key of keys) expect(left).not.toContain(key);
  });
});

/** The session cookie of an ApiClient (for plain fetch calls that need the raw bytes). */
async function sessionCookie(api: ApiClient): Promise<string> {
  return (api as unknown as { cookies: Map<string, string> }).cookies.get('trialhub_session')!;
}
