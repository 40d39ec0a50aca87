import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { TrainerInputError } from './errors';

/** Where the seed's example data set is published (Apache License 2.0). */
export const EXAMPLE_DATA_SOURCE = {
  apiBase: 'https://api.github.com',
  rawBase: 'https://raw.githubusercontent.com',
  repo: 'IBM/powerai-transfer-learning',
  ref: 'b6c5feaeb0e74802b7067f5f3680792089091a51',
  folder: 'data',
};

export type ExampleDataSource = typeof EXAMPLE_DATA_SOURCE;

export interface ExampleData {
  /** The data set's folder (`<dir>/pool-houses`). */
  root: string;
  /** `images/<class>/…` training images, when present. */
  images?: string;
  /** `bottlenecks/<class>/<image>.txt` stored feature vectors, when present. */
  bottlenecks?: string;
  /** `test_images/<class>/…` held out for the before/after table, when present. */
  testImages?: string;
  /** Whether this call downloaded it (false: it was already there). */
  downloaded: boolean;
}

/** The sub-folders the trainer uses; `images_resized` is the seed's scratch copy and is left out. */
const WANTED = ['images/', 'test_images/', 'bottlenecks/'];
const COMPLETE_MARKER = '.download-complete';

function describe(root: string, downloaded: boolean): ExampleData {
  const part = (name: string) => (existsSync(join(root, name)) ? join(root, name) : undefined);
  return { root, images: part('images'), bottlenecks: part('bottlenecks'), testImages: part('test_images'), downloaded };
}

async function hasFiles(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length > 0;
  } catch {
    return false;
  }
}

async function getOk(url: string, what: string): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, { headers: { 'User-Agent': 'trialhub-trainer', Accept: '*/*' } });
  } catch (error) {
    throw new TrainerInputError(`Could not download ${what} from ${url}: ${(error as Error).message}. Copy the data set into the notebook's folder as pool-houses/ instead.`);
  }
  if (!response.ok) {
    const body = (await response.text().catch(() => '')).slice(0, 200);
    throw new TrainerInputError(`Could not download ${what} from ${url}: HTTP ${response.status}${body ? ` (${body})` : ''}.`);
  }
  return response;
}

/** Runs `work` over `items` with at most `limit` at a time. */
async function inParallel<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * The example data set (houses with and without a pool) as `<dir>/pool-houses`: used as it is
 * when the folder is already there (a pod's /data, or a copy the runtime made), else
 * downloaded file by file from the public repository at a fixed commit. A download that was
 * interrupted is resumed: files already on disk are kept, and only a finished download
 * writes the marker that makes the next call skip the network.
 */
export async function ensureExampleData(
  dir: string,
  options: { source?: Partial<ExampleDataSource>; onFile?: (path: string, done: number, total: number) => void; concurrency?: number } = {},
): Promise<ExampleData> {
  const root = join(dir, 'pool-houses');
  if (existsSync(join(root, COMPLETE_MARKER))) return describe(root, false);
  const alreadyThere = (await hasFiles(join(root, 'bottlenecks'))) || (await hasFiles(join(root, 'images')));
  if (alreadyThere && !existsSync(join(root, '.download-started'))) return describe(root, false);

  const source = { ...EXAMPLE_DATA_SOURCE, ...options.source };
  const treeUrl = `${source.apiBase}/repos/${source.repo}/git/trees/${source.ref}?recursive=1`;
  const tree = (await (await getOk(treeUrl, 'the list of example files')).json()) as { tree?: { path: string; type: string }[]; truncated?: boolean };
  const prefix = `${source.folder}/`;
  const files = (tree.tree ?? [])
    .filter((entry) => entry.type === 'blob' && entry.path.startsWith(prefix))
    .map((entry) => entry.path.slice(prefix.length))
    .filter((path) => WANTED.some((w) => path.startsWith(w)) && !path.split('/').some((part) => part.startsWith('.')));
  if (!files.length) throw new TrainerInputError(`The repository ${source.repo} at ${source.ref} has no example files under ${prefix} (looked at ${treeUrl}).`);

  await mkdir(root, { recursive: true });
  await writeFile(join(root, '.download-started'), new Date().toISOString() + '\n');
  let done = 0;
  await inParallel(files, options.concurrency ?? 8, async (path) => {
    const target = join(root, path);
    if (!existsSync(target)) {
      const url = `${source.rawBase}/${source.repo}/${source.ref}/${prefix}${path.split('/').map(encodeURIComponent).join('/')}`;
      const bytes = Buffer.from(await (await getOk(url, path)).arrayBuffer());
      await mkdir(dirname(target), { recursive: true });
      // Write then rename, so a file on disk is always a whole file (what resuming relies on).
      await writeFile(target + '.part', bytes);
      await rename(target + '.part', target);
    }
    options.onFile?.(path, ++done, files.length);
  });
  await writeFile(join(root, COMPLETE_MARKER), `${files.length} files from ${source.repo}@${source.ref}\n`);
  return describe(root, true);
}
