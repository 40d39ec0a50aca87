import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';

const REPORTS = join(resolve(__dirname, '../../..'), 'test-output/accessibility');
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[]; failureSummary?: string }>;
}

/**
 * Runs axe-core (WCAG 2 A and AA rules: labels, names, roles, contrast, …) on the page as it is
 * now, saves the report under test-output/accessibility/<name>.json and answers the serious and
 * critical violations as readable lines ("color-contrast: … at .badge").
 */
export async function accessibilityProblems(page: Page, name: string): Promise<string[]> {
  // Evaluated, not added as a script tag: pages with a strict CSP (the share page) still get checked.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: unknown[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] });
    return result.violations;
  }) as AxeViolation[];
  mkdirSync(REPORTS, { recursive: true });
  writeFileSync(join(REPORTS, `${name}.json`), JSON.stringify({ url: page.url(), violations }, null, 2));
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.slice(0, 3).map((n) => `${v.id}: ${v.help} at ${n.target.join(' ')}`));
}
