import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkImage } from '@trialhub/vision';
import { colourImage } from '../../../../test/trainer-fixtures/synthetic';
import { ZipMember, zipFile } from '../../../../test/support/zip-file';
import { PHOTO_LIMITS, photoSetProblem, planPhotos, storedName } from './photo-set';
import { readZipDirectory, readZipEntry, ZipError, ZipLimits } from './zip-reader';
// The portal's folder upload packs the chosen folder as a zip; this reader must read it (a test-only import across apps).
import { storedZip } from '../../../portal/src/photos/stored-zip';

const dir = mkdtempSync(join(tmpdir(), 'photo-set-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

/** Writes the zip and reads its directory as the upload does. */
async function directoryOf(members: ZipMember[] | Buffer, limits: ZipLimits = PHOTO_LIMITS) {
  const path = join(dir, `${n++}.zip`);
  const bytes = Buffer.isBuffer(members) ? members : zipFile(members);
  writeFileSync(path, bytes);
  const file = await open(path, 'r');
  try {
    const entries = await readZipDirectory(file, bytes.length, limits);
    return { entries, read: (i: number) => readZipEntry(file, entries[i]) };
  } finally {
    // The reads below need the file open: closed when the test's promise chain ends.
    setTimeout(() => void file.close(), 1000);
  }
}

describe('the zip reader', () => {
  it('reads stored and deflated members back byte for byte', async () => {
    const photo = await colourImage('red', 1, 'jpeg');
    const { entries, read } = await directoryOf([{ name: 'cats/', data: Buffer.alloc(0) }, { name: 'cats/a.jpg', data: photo }, { name: 'cats/b.jpg', data: photo, method: 0 }]);
    expect(entries.map((e) => [e.name, e.directory, e.method])).toEqual([['cats/', true, 0], ['cats/a.jpg', false, 8], ['cats/b.jpg', false, 0]]);
    expect((await read(1)).equals(photo)).toBe(true);
    expect((await read(2)).equals(photo)).toBe(true);
  });

  it('refuses what is not a zip, and a zip cut short', async () => {
    await expect(directoryOf(Buffer.from('just some text that is long enough to look for a zip directory'))).rejects.toThrow(/not a zip file/);
    const whole = zipFile([{ name: 'a/1.jpg', data: Buffer.alloc(100, 1) }]);
    await expect(directoryOf(whole.subarray(0, whole.length - 30))).rejects.toThrow(ZipError);
  });

  it('stops a zip bomb: too many entries, too many bytes declared, and a member that unpacks past its declared size', async () => {
    const many = Array.from({ length: 6 }, (_, i) => ({ name: `a/${i}.jpg`, data: Buffer.alloc(10) }));
    await expect(directoryOf(many, { ...PHOTO_LIMITS, maxEntries: 5 })).rejects.toThrow('The zip holds 6 entries; at most 5 are accepted.');
    const huge = [{ name: 'a/1.jpg', data: Buffer.alloc(10), declaredSize: 300 * 1024 * 1024 }, { name: 'a/2.jpg', data: Buffer.alloc(10), declaredSize: 300 * 1024 * 1024 }];
    await expect(directoryOf(huge)).rejects.toThrow(/add up to more than 500 MiB unpacked/);
    // 50 MiB of zeros deflates to ~50 KiB; the directory claims 1 KiB.
    const { read } = await directoryOf([{ name: 'a/bomb.jpg', data: Buffer.alloc(50 * 1024 * 1024), declaredSize: 1024 }]);
    await expect(read(0)).rejects.toThrow('a/bomb.jpg unpacks to more than the zip says it does: the zip is damaged or hostile.');
  });
});

describe('a folder the portal packs (webkitdirectory paths)', () => {
  it('reads back with the same classes and bytes', async () => {
    const photo = await colourImage('red', 3, 'jpeg');
    const zip = await storedZip([{ path: 'holiday/cats/1.jpg', file: new Blob([photo]) }, { path: 'holiday/dogs/2 ü.jpg', file: new Blob([photo]) }]);
    const { entries, read } = await directoryOf(Buffer.from(await zip.arrayBuffer()));
    expect(planPhotos(entries).photos.map((p) => `${p.className}/${p.fileName}`)).toEqual(['cats/1.jpg', 'dogs/2 ü.jpg']);
    expect((await read(1)).equals(photo)).toBe(true);
  });
});

describe('which members are photos of which class', () => {
  const entries = async (members: ZipMember[]) => (await directoryOf(members)).entries;
  const data = Buffer.alloc(8);

  it('takes one folder per class, also inside the one folder a zipped folder adds, and ignores system files', async () => {
    const plan = planPhotos(await entries([
      { name: 'photos/', data }, { name: 'photos/cats/1.jpg', data }, { name: 'photos/dogs/2.png', data },
      { name: '__MACOSX/photos/cats/._1.jpg', data }, { name: 'photos/cats/.DS_Store', data },
    ]));
    expect(plan.photos.map((p) => [p.className, p.fileName])).toEqual([['cats', '1.jpg'], ['dogs', '2.png']]);
    expect(plan.ignored).toBe(2);
    expect(plan.refused).toEqual([]);
  });

  it('refuses paths that would land outside the folder (zip-slip), links, encrypted members and loose files, each by name with the reason', async () => {
    const plan = planPhotos(await entries([
      { name: 'cats/1.jpg', data },
      { name: '../../etc/cron.d/evil', data },
      { name: '/etc/passwd', data },
      { name: 'cats\\..\\..\\x.jpg', data },
      { name: 'cats/link.jpg', data: Buffer.from('/etc/shadow'), symlink: true },
      { name: 'cats/secret.jpg', data, encrypted: true },
      { name: 'loose.jpg', data },
      { name: 'cats/more/3.jpg', data },
    ]));
    expect(plan.photos.map((p) => `${p.className}/${p.fileName}`)).toEqual(['cats/1.jpg']);
    expect(plan.refused).toEqual([
      '../../etc/cron.d/evil: a path with ".." in it (unsafe: it would land outside the photo folder)',
      '/etc/passwd: an absolute path (unsafe: it would land outside the photo folder)',
      'cats/../../x.jpg: a path with ".." in it (unsafe: it would land outside the photo folder)',
      'cats/link.jpg: a symbolic link (links in a zip are never followed: put the photo itself in the zip)',
      'cats/secret.jpg: encrypted (make the zip without a password)',
      'loose.jpg: not in a class folder (put each photo in a folder named after its class, e.g. cats/loose.jpg)',
      'cats/more/3.jpg: in a folder inside the class folder "cats" (put the photos directly in cats/)',
    ]);
  });

  it('names a file that is not an image, and a damaged one', async () => {
    expect(await checkImage(Buffer.from('my notes about cats'))).toEqual({ problem: 'not an image (JPEG, PNG or WebP expected)' });
    const jpeg = await colourImage('blue', 2, 'jpeg');
    expect(await checkImage(jpeg)).toEqual({ format: 'jpeg' });
    expect(await checkImage(jpeg.subarray(0, Math.floor(jpeg.length / 2)))).toEqual({ problem: 'a damaged JPEG image (it does not decode)' });
    expect(storedName('IMG_0001', 'jpeg')).toBe('IMG_0001.jpg');
    expect(storedName('a.PNG', 'png')).toBe('a.PNG');
  });

  it(`needs two classes with at least 5 photos each`, () => {
    expect(photoSetProblem(new Map([['cats', 9]]))).toBe('The zip has photos of one class only (cats). Make one folder per class, at least two, each with at least 5 JPEG, PNG or WebP photos.');
    expect(photoSetProblem(new Map([['cats', 9], ['dogs', 3]]))).toBe('Each class needs at least 5 readable photos: dogs has 3.');
    expect(photoSetProblem(new Map([['cats', 5], ['dogs', 5]]))).toBeNull();
  });
});
