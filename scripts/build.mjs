// Compiles apps/, libs/ and test/ TypeScript to dist/ with SWC (decorator metadata kept),
// and builds the portal with Vite. `--if-stale` skips each part whose output is newer
// than every source file, so `npm start` stays fast after the first build.
import { transformFile } from '@swc/core';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync, cpSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const ifStale = process.argv.includes('--if-stale');
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

async function buildServer() {
  const dirs = ['apps/control-plane', 'apps/trainer', 'libs', 'test'].map((d) => join(root, d));
  const sources = dirs.flatMap((d) => walk(d, (p) => p.endsWith('.ts') && !p.endsWith('.d.ts')));
  const stamp = join(outDir, '.server-stamp');
  if (ifStale && existsSync(stamp) && statSync(stamp).mtimeMs >= newest(sources)) return;
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
        paths: { '@trialhub/contracts': ['libs/contracts/src/index.ts'] },
      },
    });
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, code + `\n//# sourceMappingURL=${target.split('/').pop()}.map\n`);
    if (map) writeFileSync(target + '.map', map);
  }
  // Non-TypeScript assets that ship next to the code (notebooks, HTML templates).
  for (const dir of ['apps/trainer/notebooks', 'apps/control-plane/src/assets']) {
    if (existsSync(join(root, dir))) cpSync(join(root, dir), join(outDir, dir), { recursive: true });
  }
  mkdirSync(outDir, { recursive: true });
  writeFileSync(stamp, new Date().toISOString());
  console.log(`built ${sources.length} files into dist/`);
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

await buildServer();
buildPortal();
