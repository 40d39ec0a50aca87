import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ownPhotos } from './own-photos';

describe("the notebook's own photos (my-photos/<class>/)", () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('are there with two classes of images, symbolic links followed; not with one class or none', () => {
    dir = mkdtempSync(join(tmpdir(), 'own-photos-'));
    expect(ownPhotos(dir)).toBeNull();
    mkdirSync(join(dir, 'my-photos/cats'), { recursive: true });
    writeFileSync(join(dir, 'my-photos/cats/1.jpg'), 'x');
    writeFileSync(join(dir, 'my-photos/cats/notes.txt'), 'x');
    expect(ownPhotos(dir)).toBeNull();
    mkdirSync(join(dir, 'elsewhere'));
    writeFileSync(join(dir, 'elsewhere/d.webp'), 'x');
    mkdirSync(join(dir, 'my-photos/dogs'));
    symlinkSync(join(dir, 'elsewhere/d.webp'), join(dir, 'my-photos/dogs/d.webp'));
    symlinkSync(join(dir, 'elsewhere'), join(dir, 'my-photos/birds'));
    expect(ownPhotos(dir)).toEqual({ root: join(dir, 'my-photos'), classes: [{ name: 'birds', count: 1 }, { name: 'cats', count: 1 }, { name: 'dogs', count: 1 }] });
  });
});
