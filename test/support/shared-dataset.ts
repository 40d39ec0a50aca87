import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');

/**
 * The seed's pool-houses data set, which the project never copies in: TRIALHUB_SHARED_DIR, else a
 * `shared/` folder next to the checkout or further up (a clone may sit a level deeper than the
 * work tree). Throws with the places it looked, so a missing data set is a clear failure.
 */
export function poolHousesDataset(): string {
  const tried: string[] = [];
  const candidates = process.env.TRIALHUB_SHARED_DIR ? [resolve(process.env.TRIALHUB_SHARED_DIR)] : ancestors(dirname(ROOT)).map((d) => join(d, 'shared'));
  for (const shared of candidates) {
    const dir = join(shared, 'datasets', 'pool-houses');
    tried.push(dir);
    if (existsSync(join(dir, 'bottlenecks'))) return dir;
  }
  throw new Error(`The pool-houses data set is not in any of: ${tried.join(', ')}. Set TRIALHUB_SHARED_DIR to the folder holding datasets/pool-houses.`);
}

function ancestors(dir: string): string[] {
  const out: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    out.push(d);
    if (dirname(d) === d) return out;
  }
}
