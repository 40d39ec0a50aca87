import { createServer, Server } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureExampleData, EXAMPLE_DATA_SOURCE } from './example-data';
import { TrainerInputError } from './errors';

const ref = EXAMPLE_DATA_SOURCE.ref;
const repo = 'IBM/powerai-transfer-learning';

/** The published files, as a GitHub-like tree API and raw file host on 127.0.0.1 would serve them. */
const FILES: Record<string, string> = {
  'data/images/house_with_pool/a b.jpg': 'jpeg bytes of a',
  'data/images/house_without_pool/c.jpg': 'jpeg bytes of c',
  'data/test_images/house_with_pool/t.jpg': 'test image',
  'data/bottlenecks/house_with_pool/x.jpg.txt': '0.1,0.2',
  'data/images_resized/house_with_pool/r.jpg': 'not wanted',
  'README.md': 'not wanted either',
};

describe('ensureExampleData', () => {
  let dir: string;
  let server: Server;
  let base: string;
  let requests: string[];
  let failRaw: string | undefined;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'trainer-example-'));
    requests = [];
    failRaw = undefined;
    server = createServer((req, res) => {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      requests.push(path);
      if (path === `/api/repos/${repo}/git/trees/${ref}`) {
        const tree = [{ path: 'data', type: 'tree' }, ...Object.keys(FILES).map((p) => ({ path: p, type: 'blob' }))];
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ sha: ref, tree, truncated: false }));
        return;
      }
      const prefix = `/raw/${repo}/${ref}/`;
      const file = path.startsWith(prefix) ? path.slice(prefix.length) : '';
      if (file && FILES[file] !== undefined && file !== failRaw) res.writeHead(200).end(FILES[file]);
      else res.writeHead(404, { 'Content-Type': 'text/plain' }).end('404: Not Found');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  const source = () => ({ apiBase: `${base}/api`, rawBase: `${base}/raw` });

  it('downloads images, test images and bottlenecks (not the scratch folder) into pool-houses/', async () => {
    const progress: number[] = [];
    const data = await ensureExampleData(dir, { source: source(), onFile: (_p, done) => progress.push(done) });
    expect(data.downloaded).toBe(true);
    expect(data.images).toBe(join(dir, 'pool-houses', 'images'));
    expect(data.testImages).toBe(join(dir, 'pool-houses', 'test_images'));
    expect(data.bottlenecks).toBe(join(dir, 'pool-houses', 'bottlenecks'));
    expect(readFileSync(join(dir, 'pool-houses/images/house_with_pool/a b.jpg'), 'utf8')).toBe('jpeg bytes of a');
    expect(readFileSync(join(dir, 'pool-houses/bottlenecks/house_with_pool/x.jpg.txt'), 'utf8')).toBe('0.1,0.2');
    expect(existsSync(join(dir, 'pool-houses/images_resized'))).toBe(false);
    expect(progress).toEqual([1, 2, 3, 4]);
  });

  it('a second call uses what is on disk and asks the network nothing', async () => {
    await ensureExampleData(dir, { source: source() });
    requests = [];
    const again = await ensureExampleData(dir, { source: source() });
    expect(again.downloaded).toBe(false);
    expect(requests).toEqual([]);
  });

  it('uses a copy that is already there (the runtime copied it into /data) without downloading', async () => {
    mkdirSync(join(dir, 'pool-houses/bottlenecks/a'), { recursive: true });
    writeFileSync(join(dir, 'pool-houses/bottlenecks/a/1.jpg.txt'), '1,2');
    const data = await ensureExampleData(dir, { source: source() });
    expect(data).toMatchObject({ downloaded: false, bottlenecks: join(dir, 'pool-houses/bottlenecks'), images: undefined });
    expect(requests).toEqual([]);
  });

  it('an interrupted download fails with the file and status, and the next call resumes it', async () => {
    failRaw = 'data/test_images/house_with_pool/t.jpg';
    const error = await ensureExampleData(dir, { source: source(), concurrency: 1 }).catch((e) => e);
    expect(error).toBeInstanceOf(TrainerInputError);
    expect(error.message).toMatch(/test_images\/house_with_pool\/t\.jpg .*HTTP 404 \(404: Not Found\)/);
    failRaw = undefined;
    requests = [];
    const data = await ensureExampleData(dir, { source: source(), concurrency: 1 });
    expect(data.downloaded).toBe(true);
    // Files that had arrived whole are not fetched again.
    expect(requests.filter((r) => r.includes('/images/house_with_pool/a b.jpg'))).toEqual([]);
    expect(readFileSync(join(dir, 'pool-houses/test_images/house_with_pool/t.jpg'), 'utf8')).toBe('test image');
  });

  it('an unreachable host is a clear error that says how to work around it', async () => {
    const error = await ensureExampleData(dir, { source: { apiBase: 'http://127.0.0.1:9/api' } }).catch((e) => e);
    expect(error).toBeInstanceOf(TrainerInputError);
    expect(error.message).toMatch(/Could not download the list of example files .*pool-houses\//);
  });
});
