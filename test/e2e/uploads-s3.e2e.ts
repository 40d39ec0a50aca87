import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ArtifactSweep } from '../../apps/control-plane/src/artifacts/artifact-sweep';
import { ARTIFACT_STORE } from '../../apps/control-plane/src/artifacts/artifact-store';
import { S3ArtifactStore } from '../../apps/control-plane/src/artifacts/s3-artifact-store';
import { uploadResults } from '../../apps/trainer/src/upload';
import { ApiClient } from '../support/http';
import { startTestServer, TestServer, uploadApiUrl } from '../support/server';
import { METRICS, ownerWithSession, putFile, sql, writeTrainerOutput } from './results-support';

/** s3rver: a real S3-compatible HTTP server, in-process, storing to a temporary folder. */
async function startS3(): Promise<{ endpoint: string; close(): Promise<void> } | { skip: string }> {
  try {
    const { default: S3rver } = await import('s3rver');
    const directory = mkdtempSync(join(tmpdir(), 'trialhub-s3-'));
    const s3 = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory });
    const { port } = await s3.run();
    return { endpoint: `http://127.0.0.1:${port}`, close: async () => { await s3.close(); rmSync(directory, { recursive: true, force: true }); } };
  } catch (err) {
    return { skip: `no in-process S3 server could start here (${(err as Error).message})` };
  }
}

describe('the S3 artifact store against a real S3-compatible server', () => {
  let s3: Awaited<ReturnType<typeof startS3>>;
  let server: TestServer;
  let runDir: string;
  const bucket = 'trialhub-artifacts';
  const objects = async () => {
    const store = server.app.get<S3ArtifactStore>(ARTIFACT_STORE);
    const listed = await store.client.send(new ListObjectsV2Command({ Bucket: bucket }));
    return (listed.Contents ?? []).map((o) => o.Key!).sort();
  };
  const rows = async () => (await sql<{ storage_key: string }>(server, `SELECT storage_key FROM artifacts ORDER BY storage_key`)).map((r) => r.storage_key);

  beforeAll(async () => {
    s3 = await startS3();
    if ('skip' in s3) {
      console.warn(`Skipping the S3 driver tests: ${s3.skip}`);
      return;
    }
    runDir = mkdtempSync(join(tmpdir(), 'trialhub-s3-run-'));
    await writeTrainerOutput(runDir);
    // The bucket does not exist yet: the store creates it at start-up.
    server = await startTestServer({ ARTIFACT_STORE: 's3', S3_ENDPOINT: s3.endpoint, S3_BUCKET: bucket, S3_ACCESS_KEY_ID: 'S3RVER', S3_SECRET_ACCESS_KEY: 'S3RVER', S3_FORCE_PATH_STYLE: 'true' });
  });
  afterAll(async () => {
    await server?.stop();
    if (s3 && !('skip' in s3)) await s3.close();
    if (runDir) rmSync(runDir, { recursive: true, force: true });
  });

  beforeEach((ctx) => {
    if ('skip' in s3) {
      // s3rver is a dev dependency: in CI it must start.
      if (process.env.CI === 'true') throw new Error(`The in-process S3 server must start in CI: ${s3.skip}`);
      ctx.skip(s3.skip);
    }
  });

  it('stores a run in the bucket, serves its files and share page, and deletes the objects with the result', async () => {
    expect(server.app.get(ARTIFACT_STORE).kind).toBe('s3');
    const owner = await ownerWithSession(server, 's3@example.com');
    const { resultId } = await uploadResults({ dir: runDir, uploadUrl: uploadApiUrl(server), token: owner.token, runName: 's3-run' });
    expect(await objects()).toEqual(await rows());
    expect((await owner.api.get(`/api/results/${resultId}`)).body.metrics.testAccuracy).toBe(METRICS.testAccuracy);
    expect((await owner.api.get(`/api/results/${resultId}/files/metrics.json`)).body).toEqual(METRICS);
    const { token } = (await owner.api.post(`/api/results/${resultId}/shares`, {})).body;
    const page = await new ApiClient(server.url).get(`/share/${token}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<table class="confusion">');
    expect((await owner.api.delete(`/api/results/${resultId}`)).status).toBe(204);
    expect(await objects()).toEqual([]);
  });

  it('streams a multi-part upload (larger than one 8 MiB part) and leaves nothing when the limit cuts it off', async () => {
    const owner = await ownerWithSession(server, 's3-big@example.com');
    const big = Buffer.alloc(20 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4096) big[i] = i % 251;
    const ok = await putFile(server, owner.token, 'big', 'model/weights.bin', big);
    expect(ok.status).toBe(201);
    expect(ok.body.size).toBe(big.length);
    const [row] = await sql<{ storage_key: string }>(server, `SELECT storage_key FROM artifacts WHERE name = 'model/weights.bin'`);
    const stored = await server.app.get<S3ArtifactStore>(ARTIFACT_STORE).get(row.storage_key);
    const chunks: Buffer[] = [];
    for await (const c of stored as Readable) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).equals(big)).toBe(true);

    const before = { objects: await objects(), rows: await rows() };
    await sql(server, `INSERT INTO settings (key, value) VALUES ('maxUploadFileBytes', $1)`, [String(12 * 1024 * 1024)]);
    try {
      const cut = await putFile(server, owner.token, 'big', 'model/other.bin', new Blob([big]).stream() as any, {}, { duplex: 'half' });
      expect(cut.status).toBe(413);
    } finally {
      await sql(server, `DELETE FROM settings WHERE key = 'maxUploadFileBytes'`);
    }
    expect({ objects: await objects(), rows: await rows() }).toEqual(before);
  });

  it('sweeps objects the database does not know out of the bucket', async () => {
    const store = server.app.get<S3ArtifactStore>(ARTIFACT_STORE);
    await store.put('results/stray/leftover', Readable.from([Buffer.from('left by a crash')]), 'application/octet-stream');
    expect(await objects()).toContain('results/stray/leftover');
    const report = await server.app.get(ArtifactSweep).sweep({ graceMs: 0 });
    expect(report.orphansDeleted).toBe(1);
    expect(await objects()).toEqual(await rows());
  });
});
