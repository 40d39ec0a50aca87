import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ArtifactMissingError, ArtifactStore, StoredObject } from './artifact-store';

/** Unfinished writes; renamed into place when complete, so readers never see a partial file. */
const TEMP_DIR = '.partial';

/** Artifacts as files in one folder (the default for a single machine or a mounted volume). */
export class LocalArtifactStore implements ArtifactStore {
  readonly kind = 'local' as const;
  private readonly root: string;

  constructor(dir: string) {
    this.root = resolve(dir);
  }

  async init(): Promise<void> {
    await mkdir(join(this.root, TEMP_DIR), { recursive: true });
  }

  private pathOf(key: string): string {
    const path = resolve(this.root, key);
    // Keys are made by the server, but a store must never step outside its folder whatever it is given.
    if (!path.startsWith(this.root + sep)) throw new Error(`Refusing storage key outside the store: ${key}`);
    return path;
  }

  async put(key: string, body: Readable): Promise<void> {
    const target = this.pathOf(key);
    const temp = join(this.root, TEMP_DIR, `${randomUUID()}.part`);
    await mkdir(dirname(temp), { recursive: true });
    try {
      await pipeline(body, createWriteStream(temp, { flags: 'wx' }));
      await mkdir(dirname(target), { recursive: true });
      await rename(temp, target);
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
  }

  async get(key: string): Promise<Readable> {
    const path = this.pathOf(key);
    try {
      await stat(path);
    } catch {
      throw new ArtifactMissingError(key);
    }
    return createReadStream(path);
  }

  async delete(key: string): Promise<void> {
    const path = this.pathOf(key);
    await rm(path, { force: true });
    // Drop emptied result folders so the store does not fill with empty directories.
    for (let dir = dirname(path); dir !== this.root && dir.startsWith(this.root + sep); dir = dirname(dir)) {
      try {
        await rmdir(dir);
      } catch {
        break;
      }
    }
  }

  async *list(): AsyncIterable<StoredObject> {
    yield* this.walk(this.root);
  }

  private async *walk(dir: string): AsyncIterable<StoredObject> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) yield* this.walk(path);
      else if (entry.isFile()) {
        const s = await stat(path).catch(() => null);
        if (s) yield { key: relative(this.root, path).split(sep).join('/'), size: s.size, modifiedAt: s.mtime };
      }
    }
  }
}
