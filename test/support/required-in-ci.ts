import { it } from 'vitest';

/**
 * CI installs everything the tests need (.ci/run), so there a missing tool is a failure, not a
 * silent skip; on a developer's machine the dependent tests skip with this reason.
 */
export function requiredInCi(what: string, available: boolean, install: string): void {
  if (available || process.env.CI !== 'true') return;
  it(`needs ${what} (CI=true)`, () => {
    throw new Error(`${what} is missing, so its tests cannot run; .ci/run must install it (${install}).`);
  });
}
