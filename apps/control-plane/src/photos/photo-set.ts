import { IMAGE_FORMATS_TEXT } from '@trialhub/vision';
import { MIN_PHOTOS_PER_CLASS } from '@trialhub/contracts';
import { mib, ZipEntry } from './zip-reader';

export const PHOTO_LIMITS = {
  /** The .zip as sent. */
  maxUploadBytes: 200 * 1024 * 1024,
  maxEntries: 2000,
  maxFileBytes: 20 * 1024 * 1024,
  maxTotalBytes: 500 * 1024 * 1024,
  maxPixels: 40_000_000,
  maxClasses: 50,
  maxNameLength: 120,
};

/** A file of the zip that goes into `<class>/<name>` once its bytes decode as an image. */
export interface PlannedPhoto {
  entry: ZipEntry;
  className: string;
  fileName: string;
}

export interface PhotoPlan {
  photos: PlannedPhoto[];
  refused: string[];
  ignored: number;
}

/** macOS and Windows add these to zips; nobody means them as photos. */
const isSystemFile = (segments: string[]) => segments[0] === '__MACOSX' || segments.some((s) => s.startsWith('.')) || /^(thumbs\.db|desktop\.ini)$/i.test(segments[segments.length - 1]);

/** Why a stored path may not be unpacked anywhere (zip-slip), or null. */
export function unsafePath(name: string): string | null {
  if (/[\x00-\x1f]/.test(name)) return 'a name with control characters';
  if (name.startsWith('/') || /^[a-zA-Z]:/.test(name)) return 'an absolute path (unsafe: it would land outside the photo folder)';
  if (name.split('/').some((s) => s === '..')) return 'a path with ".." in it (unsafe: it would land outside the photo folder)';
  return null;
}

/**
 * Decides, from the zip's directory alone, which entries are photos of which class: one folder
 * per class (`cat/1.jpg`), optionally inside one folder the whole zip shares (zipping the folder
 * `photos/` gives `photos/cat/1.jpg`). Everything else is refused by name with the reason, or
 * ignored when it is a system file. Image contents are checked afterwards (`imageProblem`).
 */
export function planPhotos(entries: ZipEntry[]): PhotoPlan {
  const refused: string[] = [];
  let ignored = 0;
  const files: { entry: ZipEntry; segments: string[] }[] = [];
  for (const entry of entries) {
    const name = entry.name.replace(/\\/g, '/');
    if (entry.directory) continue;
    const segments = name.split('/').filter((s) => s !== '' && s !== '.');
    const why =
      unsafePath(name) ??
      (entry.symlink ? 'a symbolic link (links in a zip are never followed: put the photo itself in the zip)' : null) ??
      (entry.encrypted ? 'encrypted (make the zip without a password)' : null) ??
      (entry.method !== 0 && entry.method !== 8 ? 'compressed in a way this cannot unpack (use ordinary zip compression)' : null) ??
      (entry.size > PHOTO_LIMITS.maxFileBytes ? `larger than ${mib(PHOTO_LIMITS.maxFileBytes)}` : null);
    if (why) refused.push(`${name}: ${why}`);
    else if (isSystemFile(segments)) ignored++;
    else files.push({ entry, segments });
  }
  // Zipping a folder puts every path under that folder's name: peel such shared folders off.
  while (files.length && files.every((f) => f.segments.length > 2 && f.segments[0] === files[0].segments[0])) {
    for (const f of files) f.segments = f.segments.slice(1);
  }
  const photos: PlannedPhoto[] = [];
  for (const { entry, segments } of files) {
    const shown = entry.name.replace(/\\/g, '/');
    if (segments.length < 2) refused.push(`${shown}: not in a class folder (put each photo in a folder named after its class, e.g. cats/${segments[0]})`);
    else if (segments.length > 2) refused.push(`${shown}: in a folder inside the class folder "${segments[0]}" (put the photos directly in ${segments[0]}/)`);
    else if (segments.some((s) => s.length > PHOTO_LIMITS.maxNameLength)) refused.push(`${shown}: a name longer than ${PHOTO_LIMITS.maxNameLength} characters`);
    else photos.push({ entry, className: segments[0], fileName: segments[1] });
  }
  return { photos, refused, ignored };
}

/** The file name a photo is stored under: the trainer reads .jpg, .jpeg, .png and .webp only, so a photo without one gets the right one. */
export function storedName(fileName: string, format: string): string {
  if (/\.(jpe?g|png|webp)$/i.test(fileName)) return fileName;
  return `${fileName}.${format === 'jpeg' ? 'jpg' : format}`;
}

/** Why the accepted photos cannot train a classifier, or null: at least two classes, each with MIN_PHOTOS_PER_CLASS. */
export function photoSetProblem(counts: Map<string, number>): string | null {
  if (counts.size > PHOTO_LIMITS.maxClasses) return `The zip has ${counts.size} class folders; at most ${PHOTO_LIMITS.maxClasses} are accepted.`;
  if (counts.size < 2) {
    const found = counts.size === 0 ? 'no photos in class folders' : `photos of one class only (${[...counts.keys()][0]})`;
    return `The zip has ${found}. Make one folder per class, at least two, each with at least ${MIN_PHOTOS_PER_CLASS} ${IMAGE_FORMATS_TEXT} photos.`;
  }
  const short = [...counts].filter(([, n]) => n < MIN_PHOTOS_PER_CLASS);
  if (short.length) {
    return `Each class needs at least ${MIN_PHOTOS_PER_CLASS} readable photos: ${short.map(([c, n]) => `${c} has ${n}`).join(', ')}.`;
  }
  return null;
}
