import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeBottleneckDataset, writeImageDataset } from '../../../test/trainer-fixtures/synthetic';
import { readBottleneck } from './bottleneck-file';
import { scanDataset, scanTestImages } from './dataset';
import { computeFeatures } from './features';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'trainer-data-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('reading a data set', () => {
  it('takes classes from folder names and pairs images with stored bottlenecks of the same name', async () => {
    await writeImageDataset(join(dir, 'images'), { red: 2, blue: 1 });
    mkdirSync(join(dir, 'bn', 'red'), { recursive: true });
    writeFileSync(join(dir, 'bn', 'red', 'r00.png.txt'), '1,2,3');
    writeFileSync(join(dir, 'bn', 'red', 'other.jpg.txt'), '4,5,6');
    const scan = await scanDataset(join(dir, 'images'), join(dir, 'bn'));
    expect(scan.classes).toEqual(['blue', 'red']);
    expect(scan.examples.map((e) => [e.className, e.name, !!e.imagePath, !!e.bottleneckPath])).toEqual([
      ['blue', 'b00.png', true, false],
      ['red', 'other.jpg', false, true],
      ['red', 'r00.png', true, true],
      ['red', 'r01.jpg', true, false],
    ]);
  });

  it('follows symbolic links: linked image files, and linked class folders', async () => {
    await writeImageDataset(join(dir, 'originals'), { red: 2, blue: 2 });
    // Files linked one by one (what `cp -s` or a data-set manager leaves behind)…
    for (const c of ['red', 'blue']) {
      mkdirSync(join(dir, 'linked-files', c), { recursive: true });
      for (const f of readdirSync(join(dir, 'originals', c))) symlinkSync(join(dir, 'originals', c, f), join(dir, 'linked-files', c, f));
    }
    symlinkSync(join(dir, 'missing.jpg'), join(dir, 'linked-files', 'red', 'broken.jpg'));
    const files = await scanDataset(join(dir, 'linked-files'), undefined);
    expect(files.classes).toEqual(['blue', 'red']);
    expect(files.examples.map((e) => `${e.className}/${e.name}`)).toEqual(['blue/b00.png', 'blue/b01.jpg', 'red/r00.png', 'red/r01.jpg']);
    // …and whole class folders linked (relative links too).
    mkdirSync(join(dir, 'linked-folders'));
    symlinkSync('../originals/red', join(dir, 'linked-folders', 'red'));
    symlinkSync(join(dir, 'originals', 'blue'), join(dir, 'linked-folders', 'blue'));
    const folders = await scanDataset(join(dir, 'linked-folders'), undefined);
    expect(folders.examples).toHaveLength(4);
    // The data folder itself may be a link.
    symlinkSync(join(dir, 'originals'), join(dir, 'data-link'));
    expect((await scanDataset(join(dir, 'data-link'), undefined)).examples).toHaveLength(4);
  });

  it('refuses fewer than two classes', async () => {
    writeBottleneckDataset(dir, { only: 3 });
    await expect(scanDataset(undefined, dir)).rejects.toThrow(/only one class \(only\).*at least two/);
    await expect(scanDataset(join(dir, 'only'), undefined)).rejects.toThrow(/no class folders/);
  });

  it('refuses an empty class, naming it', async () => {
    await writeImageDataset(dir, { red: 2, blue: 2 });
    mkdirSync(join(dir, 'green'));
    writeFileSync(join(dir, 'green', 'notes.md'), 'not an image');
    await expect(scanDataset(dir, undefined)).rejects.toThrow(/"green" contains no images/);
  });

  it('refuses a data folder that does not exist', async () => {
    await expect(scanDataset(join(dir, 'missing'), undefined)).rejects.toThrow(/does not exist/);
    await expect(scanDataset(undefined, undefined)).rejects.toThrow(/at least one of --data and --bottlenecks/);
  });

  it('refuses vectors of the wrong length, naming the files', async () => {
    writeBottleneckDataset(dir, { a: 4, b: 4 }, 8);
    writeFileSync(join(dir, 'b', 'short.jpg.txt'), '1,2,3');
    const scan = await scanDataset(undefined, dir);
    await expect(computeFeatures(scan.examples, { cacheDir: join(dir, 'cache') })).rejects.toThrow(/1 feature vector\(s\) have the wrong length \(most have 8\).*short\.jpg\.txt has 3/);
  });

  it('refuses a bottleneck file with something that is not a number', async () => {
    writeBottleneckDataset(dir, { a: 2, b: 2 }, 4);
    writeFileSync(join(dir, 'a', 'bad.jpg.txt'), '0.1,abc,0.3,0.4');
    const scan = await scanDataset(undefined, dir);
    await expect(computeFeatures(scan.examples, { cacheDir: join(dir, 'cache') })).rejects.toThrow(/bad\.jpg\.txt: value 2 \("abc"\) is not a number/);
  });

  it('refuses images without bottlenecks when no model is given', async () => {
    await writeImageDataset(dir, { red: 1, blue: 1 });
    const scan = await scanDataset(dir, undefined);
    await expect(computeFeatures(scan.examples, { cacheDir: join(dir, 'cache') })).rejects.toThrow(/give --model/);
  });

  it('reads the seed format with whitespace and a trailing newline', async () => {
    writeFileSync(join(dir, 'v.txt'), '0.5,-1.25, 3e-2\n');
    expect(Array.from(await readBottleneck(join(dir, 'v.txt')))).toEqual([0.5, -1.25, Math.fround(0.03)]);
  });

  it('reads labelled or loose test images', async () => {
    await writeImageDataset(join(dir, 't'), { red: 1, blue: 1 });
    await writeImageDataset(join(dir, 'loose-src'), { red: 1 });
    writeFileSync(join(dir, 't', 'loose.png'), Buffer.from([1]));
    const images = await scanTestImages(join(dir, 't'));
    expect(images.map((i) => [i.name, i.label])).toEqual([['loose.png', undefined], ['blue/b00.png', 'blue'], ['red/r00.png', 'red']]);
    mkdirSync(join(dir, 'empty'));
    await expect(scanTestImages(join(dir, 'empty'))).rejects.toThrow(/holds no \.jpg/);
  });
});
