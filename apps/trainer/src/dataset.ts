import { readdir, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { TrainerInputError } from './errors';

export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp'];

export const isImageFile = (name: string) => IMAGE_EXTENSIONS.includes(extname(name).toLowerCase());

/** One training example: an image, a stored bottleneck, or both (the bottleneck then wins). */
export interface Example {
  className: string;
  /** The image's file name; for a stored bottleneck, its `.txt` name without `.txt`. */
  name: string;
  imagePath?: string;
  bottleneckPath?: string;
}

export interface DatasetScan {
  classes: string[];
  examples: Example[];
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** The entries of a folder of one kind; a symbolic link counts as what it points to (a broken one as nothing). */
async function listEntries(folder: string, kind: 'file' | 'directory'): Promise<string[]> {
  const names: string[] = [];
  for (const e of await readdir(folder, { withFileTypes: true })) {
    if (e.name.startsWith('.')) continue;
    let isKind = kind === 'file' ? e.isFile() : e.isDirectory();
    if (e.isSymbolicLink()) {
      try {
        const target = await stat(join(folder, e.name));
        isKind = kind === 'file' ? target.isFile() : target.isDirectory();
      } catch {
        isKind = false;
      }
    }
    if (isKind) names.push(e.name);
  }
  return names.sort();
}

async function listClassFolders(root: string, what: string): Promise<string[]> {
  if (!(await isDirectory(root))) throw new TrainerInputError(`The ${what} folder ${root} does not exist or is not a folder.`);
  return listEntries(root, 'directory');
}

const listFiles = (folder: string) => listEntries(folder, 'file');

/**
 * Reads a data set: `dataDir/<class>/*.jpg|png` and/or `bottlenecksDir/<class>/*.txt` (the
 * seed's layout). Classes are the union of both folders' sub-folders; each must end up with
 * at least one example, and there must be at least two classes.
 */
export async function scanDataset(dataDir: string | undefined, bottlenecksDir: string | undefined, what = 'data'): Promise<DatasetScan> {
  if (!dataDir && !bottlenecksDir) throw new TrainerInputError(`Give at least one of --${what} and --bottlenecks.`);
  const byKey = new Map<string, Example>();
  const classes = new Set<string>();
  const ignored: string[] = [];

  if (dataDir) {
    for (const className of await listClassFolders(dataDir, what)) {
      classes.add(className);
      for (const file of await listFiles(join(dataDir, className))) {
        if (!isImageFile(file)) {
          if (!file.endsWith('.txt')) ignored.push(join(className, file));
          continue;
        }
        byKey.set(`${className}/${file}`, { className, name: file, imagePath: join(dataDir, className, file) });
      }
    }
  }
  if (bottlenecksDir) {
    for (const className of await listClassFolders(bottlenecksDir, 'bottlenecks')) {
      classes.add(className);
      for (const file of await listFiles(join(bottlenecksDir, className))) {
        if (!file.endsWith('.txt')) continue;
        const name = basename(file, '.txt');
        const key = `${className}/${name}`;
        const example = byKey.get(key) ?? { className, name };
        example.bottleneckPath = join(bottlenecksDir, className, file);
        byKey.set(key, example);
      }
    }
  }

  const sortedClasses = [...classes].sort();
  if (sortedClasses.length < 2) {
    const where = [dataDir, bottlenecksDir].filter(Boolean).join(' and ');
    throw new TrainerInputError(
      `Found ${sortedClasses.length === 0 ? 'no class folders' : `only one class (${sortedClasses[0]})`} in ${where}; ` +
        'make one sub-folder per class (at least two), each holding its images.',
    );
  }
  const examples = [...byKey.values()].sort((a, b) => (a.className + '/' + a.name < b.className + '/' + b.name ? -1 : 1));
  const empty = sortedClasses.filter((c) => !examples.some((e) => e.className === c));
  if (empty.length) {
    throw new TrainerInputError(
      `Class folder${empty.length > 1 ? 's' : ''} ${empty.map((c) => `"${c}"`).join(', ')} ` +
        `contain${empty.length > 1 ? '' : 's'} no images (.jpg, .jpeg, .png, .webp) or bottlenecks (.txt); add some or remove the folder.`,
    );
  }
  return { classes: sortedClasses, examples };
}

/** Test images: either `dir/<class>/*` (labelled) or images directly in `dir` (unlabelled). */
export async function scanTestImages(dir: string): Promise<{ path: string; name: string; label?: string }[]> {
  if (!(await isDirectory(dir))) throw new TrainerInputError(`The --test-images folder ${dir} does not exist or is not a folder.`);
  const out: { path: string; name: string; label?: string }[] = [];
  for (const file of (await listFiles(dir)).filter(isImageFile)) out.push({ path: join(dir, file), name: file });
  for (const className of await listClassFolders(dir, 'test images')) {
    for (const file of (await listFiles(join(dir, className))).filter(isImageFile)) {
      out.push({ path: join(dir, className, file), name: `${className}/${file}`, label: className });
    }
  }
  if (out.length === 0) throw new TrainerInputError(`The --test-images folder ${dir} holds no .jpg, .jpeg, .png or .webp images.`);
  return out;
}
