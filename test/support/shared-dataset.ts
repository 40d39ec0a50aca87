import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');

/**
 * The seed's pool-houses data set, which the project never copies in: TRIALHUB_SHARED_DIR, else a
 * `shared/` folder next to the checkout or further up, or next to the checkout it was cloned
 * from (CI clones the work tree into a temporary folder). Throws with the places it looked,
 * so a missing data set is a clear failure.
 */
export function poolHousesDataset(): string {
  const tried: string[] = [];
  const roots = [ROOT, originCheckout()].filter((r): r is string => !!r);
  const candidates = process.env.TRIALHUB_SHARED_DIR
    ? [resolve(process.env.TRIALHUB_SHARED_DIR)]
    : [...new Set(roots.flatMap((r) => ancestors(dirname(r)).map((d) => join(d, 'shared'))))];
  for (const shared of candidates) {
    const dir = join(shared, 'datasets', 'pool-houses');
    tried.push(dir);
    if (existsSync(join(dir, 'bottlenecks'))) return dir;
  }
  throw new Error(`The pool-houses data set is not in any of: ${tried.join(', ')}. Set TRIALHUB_SHARED_DIR to the folder holding datasets/pool-houses.`);
}

/** The local repository this one was cloned from (`git clone . <tmp>` leaves its path as origin), if any. */
function originCheckout(): string | null {
  try {
    const url = execFileSync('git', ['-C', ROOT, 'config', '--get', 'remote.origin.url'], { encoding: 'utf8' }).trim();
    return url.startsWith('/') && existsSync(url) ? url : null;
  } catch {
    return null;
  }
}

function ancestors(dir: string): string[] {
  const out: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    out.push(d);
    if (dirname(d) === d) return out;
  }
}
