// `npm run bench [name...]`: runs each benchmark in test/bench/<name>.bench.ts (all when no
// name is given) one after another and prints their reports. Benchmarks measure; tests judge.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const wanted = process.argv.slice(2);
const all = readdirSync(join(root, 'test/bench')).filter((f) => f.endsWith('.bench.ts')).map((f) => f.replace(/\.bench\.ts$/, ''));
const names = wanted.length ? wanted : all;
let failed = 0;
for (const name of names) {
  if (!all.includes(name)) {
    console.error(`No benchmark named "${name}"; there are: ${all.join(', ')}`);
    process.exit(2);
  }
  console.log(`\n=== ${name} ===`);
  const r = spawnSync(process.execPath, [join(root, 'scripts/run-ts.mjs'), `test/bench/${name}.bench.ts`], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
