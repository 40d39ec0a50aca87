// Compiles apps/ and libs/ TypeScript to dist/ with SWC (decorator metadata kept), and builds
// the portal with Vite. `--if-stale` skips each part whose output is newer than every source
// file, so `npm start` stays fast after the first build. Specs and test code are never part of
// that build (the control-plane image copies dist/); `--with-test-harness` also compiles test/
// into dist/test for the fake cluster's CLI and the benchmarks (scripts/run-ts.mjs asks for it).
// The compiled control plane is then bundled into dist/control-plane.js (scripts/bundle-server.mjs).
import { transformFile } from '@swc/core';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync, cpSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { bundleServer } from './bundle-server.mjs';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const ifStale = process.argv.includes('--if-stale');
const withTestHarness = process.argv.includes('--with-test-harness');
const serverOnly = process.argv.includes('--server-only');
/** Test-only files that may sit beside the code they test: never compiled into the app. */
const TEST_ONLY = /\.(spec|e2e|bench)\.tsx?$|test-support|test-fixtures/;
const outDir = join(root, 'dist');

function walk(dir, pick, out = []) {
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const p = join(dir, entry.name);
    if (entry.isDirectory()) walk(p, pick, out);
    else if (pick(p)) out.push(p);
  }
  return out;
}
const newest = (files) => files.reduce((m, f) => Math.max(m, statSync(f).mtimeMs), 0);

async function buildServer(dirNames, stampName, testHarness) {
  const dirs = dirNames.map((d) => join(root, d));
  const sources = dirs.flatMap((d) => walk(d, (p) => p.endsWith('.ts') && !p.endsWith('.d.ts') && (testHarness || !TEST_ONLY.test(relative(root, p)))));
  const stamp = join(outDir, stampName);
  if (ifStale && existsSync(stamp) && statSync(stamp).mtimeMs >= newest(sources)) return false;
  for (const file of sources) {
    const rel = relative(root, file);
    const target = join(outDir, rel.replace(/\.ts$/, '.js'));
    const { code, map } = await transformFile(file, {
      sourceMaps: true,
      module: { type: 'commonjs' },
      jsc: {
        target: 'es2022',
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        keepClassNames: true,
        baseUrl: root,
        paths: { '@trialhub/contracts': ['libs/contracts/src/index.ts'], '@trialhub/vision': ['libs/vision/src/index.ts'] },
      },
    });
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, code + `\n//# sourceMappingURL=${target.split('/').pop()}.map\n`);
    if (map) writeFileSync(target + '.map', map);
  }
  // Non-TypeScript assets that ship next to the code (notebooks, HTML templates).
  for (const dir of testHarness ? [] : ['apps/trainer/notebooks', 'apps/control-plane/src/assets']) {
    if (existsSync(join(root, dir))) cpSync(join(root, dir), join(outDir, dir), { recursive: true });
  }
  mkdirSync(outDir, { recursive: true });
  writeFileSync(stamp, new Date().toISOString());
  console.log(`built ${sources.length} files into dist/`);
  return true;
}

function buildPortal() {
  const portal = join(root, 'apps/portal');
  if (!existsSync(join(portal, 'vite.config.ts'))) return;
  const sources = walk(portal, (p) => /\.(tsx?|css|html|svg)$/.test(p));
  const index = join(outDir, 'portal/index.html');
  if (ifStale && existsSync(index) && statSync(index).mtimeMs >= newest(sources)) return;
  const r = spawnSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', join(portal, 'vite.config.ts')], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const compiled = await buildServer(['apps/control-plane', 'apps/trainer', 'libs'], '.server-stamp', false);
if (compiled || !existsSync(join(outDir, 'control-plane.js'))) await bundleServer(root);
if (withTestHarness) await buildServer(['test'], '.test-harness-stamp', true);
if (!serverOnly) buildPortal();
