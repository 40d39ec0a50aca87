import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SESSION_STATES, TRIAL_STATES } from '@trialhub/contracts';

const SRC = join(__dirname, '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'migrations' ? [] : sources(path);
    return name.endsWith('.ts') && !name.endsWith('.spec.ts') ? [path] : [];
  });
}
const files = sources(SRC).map((path) => ({ path: relative(SRC, path), text: readFileSync(path, 'utf8') }));

describe('who writes the lifecycle tables (issue 16)', () => {
  it('writes sessions, trials and workspaces only in their repositories', () => {
    const writes = /\b(UPDATE|INSERT\s+INTO|DELETE\s+FROM)\s+"?(sessions|trials|workspaces|session_events)"?\b/i;
    const outside = files.filter((f) => !f.path.startsWith('repositories/') && writes.test(f.text)).map((f) => f.path);
    expect(outside).toEqual([]);
  });

  it('types no session or trial state name into SQL: the lists come from the contracts', () => {
    const names = [...SESSION_STATES, ...TRIAL_STATES].join('|');
    const typed = new RegExp(`\\bstate\\s*(=|<>|!=|IN\\s*\\()\\s*'(${names})'`);
    expect(files.filter((f) => typed.test(f.text)).map((f) => f.path)).toEqual([]);
  });

  it('keeps every file of the sessions module small', () => {
    const big = files.filter((f) => f.path.startsWith('sessions/') && f.text.split('\n').length > 250).map((f) => f.path);
    expect(big).toEqual([]);
  });
});
