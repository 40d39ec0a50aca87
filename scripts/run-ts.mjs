// Runs a TypeScript entry point of the repository: builds what is stale, then runs the
// compiled file with the remaining arguments (used by `npm run train` and `npm run fake-k8s`).
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const [entry, ...args] = process.argv.slice(2);
// Entry points under test/ (the fake cluster's CLI, benchmarks) need the test harness compiled too.
const buildArgs = ['--if-stale', ...(entry.startsWith('test/') ? ['--with-test-harness'] : [])];
const build = spawnSync(process.execPath, [join(root, 'scripts/build.mjs'), ...buildArgs], { stdio: ['ignore', 'ignore', 'inherit'] });
if (build.status !== 0) process.exit(build.status ?? 1);
const compiled = join(root, 'dist', entry.replace(/\.ts$/, '.js'));
const child = spawn(process.execPath, ['--enable-source-maps', compiled, ...args], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
