import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { OWN_PHOTOS_FOLDER } from '@trialhub/contracts';
import { isImageFile } from './dataset';

export interface OwnPhotos {
  /** `<workDir>/my-photos`: one folder per class, as the portal's "Your own photos" puts them. */
  root: string;
  classes: { name: string; count: number }[];
}

const isDir = (p: string) => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};

/**
 * The photos uploaded from the session page (or put there by hand), when there are at least
 * two class folders with images: the example notebook then trains on them instead of the
 * houses. Symbolic links count as what they point to, as the trainer reads them.
 */
export function ownPhotos(workDir: string): OwnPhotos | null {
  const root = join(workDir, OWN_PHOTOS_FOLDER);
  if (!isDir(root)) return null;
  const classes = readdirSync(root)
    .filter((name) => !name.startsWith('.') && isDir(join(root, name)))
    .sort()
    .map((name) => ({ name, count: readdirSync(join(root, name)).filter((f) => !f.startsWith('.') && isImageFile(f)).length }))
    .filter((c) => c.count > 0);
  return classes.length >= 2 ? { root, classes } : null;
}
