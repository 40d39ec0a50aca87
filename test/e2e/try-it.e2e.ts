import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uploadResults } from '../../apps/trainer/src/upload';
import { photo, writeColourModel } from '../support/colour-model';
import { ApiClient } from '../support/http';
import { startTestServer, TestServer, uploadApiUrl } from '../support/server';
import { Owner, ownerWithSession, writeTrainerOutput } from './results-support';

describe("try-it: a photo classified by the result's own model", () => {
  let server: TestServer;
  let runDir: string;
  let owner: Owner;
  let resultId: string;
  let token: string;
  const anonymous = () => new ApiClient(server.url);
  const send = (path: string, body: Buffer | string, type = 'image/png', client = anonymous()) => client.request('POST', path, body instanceof Buffer ? new Uint8Array(body) : body, { 'content-type': type });

  beforeAll(async () => {
    // AUTH_RATE_LIMIT 3/1m: try-it allows 6 x 3 = 18 photos a minute per address.
    server = await startTestServer({ AUTH_RATE_LIMIT: '3/1m' });
    runDir = mkdtempSync(join(tmpdir(), 'trialhub-try-it-'));
    await writeTrainerOutput(runDir);
    await writeColourModel(join(runDir, 'full-model'));
    owner = await ownerWithSession(server, 'try-it@example.com');
    ({ resultId } = await uploadResults({ dir: runDir, uploadUrl: uploadApiUrl(server), token: owner.token, runName: 'colours', title: 'Red or blue' }));
    token = (await owner.api.post(`/api/results/${resultId}/shares`, {})).body.token;
  }, 180_000);
  afterAll(async () => {
    await server?.stop();
    rmSync(runDir, { recursive: true, force: true });
  });

  it('anyone with the link gets the class and its confidence; the share page offers try-it', async () => {
    const page = await anonymous().get(`/share/${token}`);
    expect(page.text).toContain(`data-predict-url="/share/${token}/predict"`);
    const red = await send(`/share/${token}/predict`, await photo({ r: 230, g: 20, b: 20 }));
    expect(red.status, red.text).toBe(200);
    expect(red.body).toMatchObject({ label: 'red', backend: expect.any(String) });
    expect(red.body.confidence).toBeGreaterThan(0.99);
    expect(red.body.scores.red + red.body.scores.blue).toBeCloseTo(1, 5);
    const blue = await send(`/share/${token}/predict`, await photo({ r: 10, g: 20, b: 240 }, 'jpeg'), 'image/jpeg');
    expect(blue.body).toMatchObject({ label: 'blue' });
    // Several at once: all answered, in order, none lost.
    const burst = await Promise.all(Array.from({ length: 6 }, async (_, i) => send(`/share/${token}/predict`, await photo(i % 2 ? { r: 0, g: 0, b: 255 } : { r: 255, g: 0, b: 0 }))));
    expect(burst.map((r) => r.body.label)).toEqual(['red', 'blue', 'red', 'blue', 'red', 'blue']);
  }, 120_000);

  it('the owner tries it from the result page; nobody else can', async () => {
    const mine = await send(`/api/results/${resultId}/predict`, await photo({ r: 0, g: 0, b: 200 }), 'image/png', owner.api);
    expect(mine.status, mine.text).toBe(200);
    expect(mine.body.label).toBe('blue');
    const other = new ApiClient(server.url);
    await other.signup('not-the-owner@example.com');
    expect((await send(`/api/results/${resultId}/predict`, await photo({ r: 0, g: 0, b: 200 }), 'image/png', other)).status).toBe(404);
  });

  it('refuses what is not a photo, with a reason', async () => {
    const notImage = await send(`/share/${token}/predict`, Buffer.from('this is not an image'), 'image/png');
    expect(notImage.status).toBe(422);
    expect(notImage.body.message).toMatch(/JPEG, PNG or WebP/);
    const wrongType = await send(`/share/${token}/predict`, 'hello', 'text/plain');
    expect(wrongType.status).toBe(415);
    const huge = await send(`/share/${token}/predict`, Buffer.alloc(11 * 1024 * 1024, 1));
    expect(huge.status).toBe(413);
    expect(huge.body.message).toMatch(/larger than 10 MiB/);
  });

  it('a revoked link cannot predict', async () => {
    const { id, token: revoked } = (await owner.api.post(`/api/results/${resultId}/shares`, {})).body;
    expect((await send(`/share/${revoked}/predict`, await photo({ r: 255, g: 0, b: 0 }))).status).toBe(200);
    expect((await owner.api.delete(`/api/results/${resultId}/shares/${id}`)).status).toBe(204);
    const after = await send(`/share/${revoked}/predict`, await photo({ r: 255, g: 0, b: 0 }));
    expect(after.status).toBe(404);
    expect(after.body.message).toMatch(/revoked or has expired/);
  });

  it('is rate-limited per address', async () => {
    const png = await photo({ r: 255, g: 0, b: 0 });
    let status = 200;
    for (let i = 0; i < 25 && status !== 429; i++) status = (await send(`/share/${token}/predict`, png)).status;
    expect(status).toBe(429);
  });
});
