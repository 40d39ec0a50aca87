import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDockerfile } from '../test/dockerfile';

const ROOT = resolve(__dirname, '../..');
const IMAGE_DIR = join(__dirname, 'control-plane');
/** What only tests use: specs, e2e and bench files, test support and fixtures, the test/ tree. */
const TEST_ONLY = /\.(spec|e2e|bench)\.(js|ts|tsx)(\.map)?$|test-support|test-fixtures|(^|\/)test\//;

/** A .dockerignore pattern as a regular expression over a path relative to the context. */
function patternToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*' && pattern[i + 1] === '*') {
      re += '.*';
      i++;
      if (pattern[i + 1] === '/') i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}(/.*)?$`);
}

/** Files of the repository that BuildKit sends as the build context (last matching pattern wins). */
function buildContext(): string[] {
  const rules = readFileSync(join(IMAGE_DIR, 'Dockerfile.dockerignore'), 'utf8')
    .split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))
    .map((l) => ({ include: l.startsWith('!'), re: patternToRegExp(l.replace(/^!/, '')) }));
  const ignored = (path: string) => rules.reduce((ign, r) => (r.re.test(path) ? !r.include : ign), false);
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const rel = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.name === 'node_modules' || entry.name === '.git' || rel === 'dist') continue;
      if (entry.isDirectory()) walk(rel);
      else if (entry.isFile() && !ignored(rel)) out.push(rel);
    }
  };
  walk('');
  return out;
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => statSync(join(dir, f)).isFile());
}

/**
 * Replays the image's build stage on this machine: the context after the dockerignore, the
 * build stage's COPY steps into a scratch /src, its build (server part; the portal is Vite's
 * bundle of apps/portal, tested elsewhere), then what the final stage copies from it.
 */
describe('the control-plane image contents', () => {
  let work: string;
  let dist: string[] = [];

  beforeAll(() => {
    const d = parseDockerfile(readFileSync(join(IMAGE_DIR, 'Dockerfile'), 'utf8'));
    const build = d.stages.find((s) => s.name === 'build');
    expect(build, 'the Dockerfile has a "build" stage').toBeTruthy();
    const context = buildContext();
    work = mkdtempSync(join(tmpdir(), 'trialhub-image-'));
    const src = join(work, 'src');
    mkdirSync(src);
    for (const step of build!.steps.filter((s) => s.keyword === 'COPY' && !s.flags.from)) {
      const dest = step.args[step.args.length - 1];
      for (const from of step.args.slice(0, -1)) {
        for (const file of context.filter((f) => f === from || f.startsWith(`${from}/`))) {
          const target = dest.endsWith('/') ? join(src, dest, file === from ? file.split('/').pop()! : relative(from, file)) : join(src, dest, relative(from, file));
          mkdirSync(dirname(target), { recursive: true });
          cpSync(join(ROOT, file), target);
        }
      }
    }
    symlinkSync(join(ROOT, 'node_modules'), join(src, 'node_modules'));
    const r = spawnSync(process.execPath, ['scripts/build.mjs', '--server-only'], { cwd: src, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const final = d.stages[d.stages.length - 1];
    const fromBuild = final.steps.filter((s) => s.keyword === 'COPY' && s.flags.from === 'build').flatMap((s) => s.args.slice(0, -1));
    expect(fromBuild).toContain('/src/dist');
    dist = fromBuild.flatMap((p) => filesUnder(join(src, relative('/src', p))).map((f) => `${relative('/src', p)}/${f}`));
  }, 120_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('has the control plane in it', () => {
    expect(dist).toContain('dist/control-plane.js');
    expect(dist).toContain('dist/apps/control-plane/src/main.js');
    expect(dist).toContain('dist/apps/control-plane/src/runtime/kubernetes/kubernetes-runtime.js');
  });

  it('holds no test-only file: no spec, test support, fixture or test/ tree', () => {
    expect(dist.filter((f) => TEST_ONLY.test(f))).toEqual([]);
  });

  it('needs nothing the image lacks: every relative require of its code resolves inside it', () => {
    const present = new Set(dist);
    const missing: string[] = [];
    for (const file of dist.filter((f) => f.endsWith('.js'))) {
      const code = readFileSync(join(work, 'src', file), 'utf8');
      for (const m of code.matchAll(/require\("(\.{1,2}\/[^"]+)"\)/g)) {
        const base = join(dirname(file), m[1]);
        if (![base, `${base}.js`, `${base}/index.js`].some((p) => present.has(p))) missing.push(`${file} -> ${m[1]}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
