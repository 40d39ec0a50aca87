import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { Client } from 'pg';
import sharp from 'sharp';
import { SessionTokens } from '../../apps/control-plane/src/sessions/session-tokens';
import { ApiClient } from '../support/http';
import { uploadApiUrl, type TestServer } from '../support/server';

/** Helpers shared by the results, uploads and sharing e2e tests. */

export async function sql<T = Record<string, unknown>>(server: TestServer, text: string, params: unknown[] = []): Promise<T[]> {
  const db = new Client({ connectionString: server.databaseUrl });
  await db.connect();
  try {
    return (await db.query(text, params)).rows as T[];
  } finally {
    await db.end();
  }
}

export interface Owner {
  api: ApiClient;
  userId: string;
  trialId: string;
  sessionId: string;
  /** The session's upload token (generation 1). */
  token: string;
}

/** A signed-up user with a ready session (its lease held so the reconciler leaves it alone) and its upload token. */
export async function ownerWithSession(server: TestServer, email: string): Promise<Owner> {
  const api = new ApiClient(server.url);
  const { user } = await api.signup(email);
  const trial = (await api.get('/api/trial')).body;
  const [row] = await sql<{ id: string }>(
    server,
    `INSERT INTO sessions (user_id, trial_id, profile_name, state, generation, mode, queued_at, started_at, ready_at, claimed_by, claimed_until)
     VALUES ($1, $2, 'cpu', 'ready', 1, 'jupyter', now(), now(), now(), 'e2e-test', now() + interval '1 hour') RETURNING id`,
    [user.id, trial.id],
  );
  return { api, userId: user.id, trialId: trial.id, sessionId: row.id, token: server.app.get(SessionTokens).uploadToken(row.id, 1) };
}

export const METRICS = {
  testAccuracy: 0.846,
  validationAccuracy: 0.8,
  trainAccuracy: 0.95,
  testCount: 13,
  validationCount: 10,
  trainCount: 80,
  classes: ['house_with_pool', 'house_without_pool'],
  steps: 500,
  mode: 'seed-compatible',
  backend: 'wasm',
  seconds: 12.5,
  seed: 42,
};

export async function png(color = '#0080ff', size = 8): Promise<Buffer> {
  return sharp({ create: { width: size, height: size, channels: 3, background: color } }).png().toBuffer();
}

/** A folder shaped like a trainer run's --out (plus the notebook's test image and a notebook). */
export async function writeTrainerOutput(dir: string): Promise<void> {
  const json = (v: unknown) => JSON.stringify(v, null, 2) + '\n';
  mkdirSync(join(dir, 'model'), { recursive: true });
  mkdirSync(join(dir, 'test_images/house_with_pool'), { recursive: true });
  writeFileSync(join(dir, 'metrics.json'), json(METRICS));
  writeFileSync(join(dir, 'history.json'), json([1, 2, 3, 4, 5].map((step) => ({ step: step * 100, trainAccuracy: 0.5 + step * 0.09, validationAccuracy: 0.5 + step * 0.06, crossEntropy: 0.7 / step }))));
  writeFileSync(join(dir, 'confusion.json'), json({ classes: METRICS.classes, matrix: [[6, 1], [1, 5]], rows: 'actual', columns: 'predicted' }));
  writeFileSync(join(dir, 'predictions.json'), json([{ image: 'house_with_pool/a.jpg', label: 'house_with_pool', predicted: 'house_with_pool', scores: { house_with_pool: 0.9, house_without_pool: 0.1 } }]));
  writeFileSync(
    join(dir, 'before-after.json'),
    json([
      { image: 'house_with_pool/pool-1.png', label: 'house_with_pool', before: { house_with_pool: 0.5, house_without_pool: 0.5 }, after: { house_with_pool: 0.93, house_without_pool: 0.07 }, predicted: 'house_with_pool' },
      { image: 'house_without_pool/plain-2.jpg', label: 'house_without_pool', before: { house_with_pool: 0.52, house_without_pool: 0.48 }, after: { house_with_pool: 0.61, house_without_pool: 0.39 }, predicted: 'house_with_pool' },
    ]),
  );
  writeFileSync(join(dir, 'labels.txt'), METRICS.classes.join('\n') + '\n');
  writeFileSync(join(dir, 'model/model.json'), json({ format: 'layers-model', modelTopology: {}, weightsManifest: [{ paths: ['weights.bin'], weights: [] }] }));
  writeFileSync(join(dir, 'model/weights.bin'), Buffer.from(new Float32Array(4096).map((_, i) => Math.sin(i)).buffer));
  writeFileSync(join(dir, 'report.html'), '<!doctype html><title>report</title><h1>Report</h1><script>document.title = "ran"</script>');
  writeFileSync(join(dir, 'test_images/house_with_pool/pool-1.png'), await png());
  writeFileSync(
    join(dir, 'walkthrough.ipynb'),
    json({
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { kernelspec: { name: 'tslab', language: 'typescript' } },
      cells: [
        { cell_type: 'markdown', metadata: {}, source: ['# Pool or no pool\n', 'Train **your own** classifier. <script>alert(1)</script>'] },
        {
          cell_type: 'code', execution_count: 1, metadata: {}, source: ['const x = "<b>not bold</b>";'],
          outputs: [
            { output_type: 'stream', name: 'stdout', text: ['<img src=x onerror=alert(2)>\n'] },
            { output_type: 'display_data', metadata: {}, data: { 'text/html': ['<script>alert(3)</script>'], 'text/plain': ['<HTML output>'] } },
            { output_type: 'display_data', metadata: {}, data: { 'image/png': (await png('#ff0000')).toString('base64') } },
          ],
        },
      ],
    }),
  );
}

/** Every file in a folder (relative paths), for "nothing was left behind" checks. */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const name of names) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.push(relative(dir, path).split(sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

/** One raw PUT of the upload API. */
export async function putFile(server: TestServer, token: string | null, run: string, name: string, body: Uint8Array | string, headers: Record<string, string> = {}, init: Record<string, unknown> = {}) {
  const res = await fetch(`${uploadApiUrl(server)}/${run}/${name}`, {
    ...init,
    method: 'PUT',
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/octet-stream', ...headers },
    body,
  });
  const text = await res.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: json, text };
}

export async function completeRun(server: TestServer, token: string, run: string, body: unknown = {}) {
  const res = await fetch(`${uploadApiUrl(server)}/${run}/complete`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as any };
}
