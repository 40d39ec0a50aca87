import { createHash } from 'node:crypto';

/** Which part of the data an example belongs to. */
export type SplitPart = 'train' | 'validation' | 'test';

/** retrain.py's MAX_NUM_IMAGES_PER_CLASS (2^27 - 1). */
const MAX_NUM_IMAGES_PER_CLASS = 2 ** 27 - 1;

/** Where the seed notebook put its images before retrain.py globbed them. */
export const SEED_SPLIT_ROOT = '/tmp/images_resized';

export interface SplitOptions {
  validationPercentage?: number;
  testPercentage?: number;
  /** Folder whose `<class>/<image name>` path is hashed; the seed's is /tmp/images_resized. */
  splitRoot?: string;
}

/**
 * retrain.py's percentage for a globbed path: SHA-1 of the path (with any `_nohash_` suffix
 * removed, so variants of one picture stay together), modulo 2^27, scaled to [0, 100].
 */
export function splitPercentage(hashedPath: string): number {
  const hashName = hashedPath.replace(/_nohash_.*$/, '');
  const digest = createHash('sha1').update(hashName, 'utf8').digest('hex');
  const bucket = BigInt('0x' + digest) % BigInt(MAX_NUM_IMAGES_PER_CLASS + 1);
  return Number(bucket) * (100 / MAX_NUM_IMAGES_PER_CLASS);
}

/** The path retrain.py would have hashed for an image of a class. */
export function hashedPathFor(className: string, imageName: string, splitRoot = SEED_SPLIT_ROOT): string {
  return `${splitRoot.replace(/\/+$/, '')}/${className}/${imageName}`;
}

/**
 * The seed's deterministic split: validation below `validationPercentage`, test in the next
 * `testPercentage`, training otherwise. A stable function of the name, so adding images never
 * moves existing ones between parts.
 */
export function splitPartFor(className: string, imageName: string, options: SplitOptions = {}): SplitPart {
  const validation = options.validationPercentage ?? 10;
  const test = options.testPercentage ?? 10;
  const pct = splitPercentage(hashedPathFor(className, imageName, options.splitRoot));
  if (pct < validation) return 'validation';
  if (pct < validation + test) return 'test';
  return 'train';
}
