import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { accessibilityProblems } from './accessibility';

const ROOT = resolve(__dirname, '../../..');
export const SCREENSHOTS = join(ROOT, 'test-output/screenshots');

/** Debian's Chromium (apt-get install chromium); CI installs it, nothing is downloaded here. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

/** Builds dist/portal (and the server) when a source is newer than the build, like `npm start` does. */
export function buildPortalIfStale(): void {
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), '--if-stale'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('node scripts/build.mjs --if-stale failed; see the output above');
  if (!existsSync(join(ROOT, 'dist/portal/index.html'))) throw new Error('dist/portal/index.html is missing after the build');
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: run \`apt-get install -y chromium\` (or set CHROMIUM_PATH)`);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/**
 * A fresh browser context (own cookies) whose pages fail the test on uncaught errors:
 * a page that throws is a defect even when the assertions pass.
 */
export async function newContext(browser: Browser, baseURL: string): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 860 } });
  context.setDefaultTimeout(15_000);
  const errors: string[] = [];
  const watched = new WeakSet<Page>();
  const watch = (p: Page) => {
    if (watched.has(p)) return;
    watched.add(p);
    p.on('pageerror', (e) => errors.push(`${p.url()}: ${e.message}`));
    // A Content-Security-Policy refusal on a page of the portal's is a defect too (user content in sandboxed frames and notebooks aside).
    p.on('console', (m) => {
      const where = m.location().url;
      if (/Content Security Policy/i.test(m.text()) && where.startsWith(baseURL) && !/\/report$|\/notebook\//.test(where)) errors.push(`${p.url()}: ${m.text()}`);
    });
  };
  context.on('page', watch);
  const page = await context.newPage();
  watch(page);
  return { context, page, errors };
}

/** Saves a full-page screenshot under test-output/screenshots/<name>.png (CI keeps the folder). */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * A step of a browser flow: the screenshot, and the page checked with axe-core (WCAG 2 A/AA:
 * labels, names, roles, contrast). A serious or critical violation fails the test; the full
 * report is in test-output/accessibility/<name>.json.
 */
export async function capture(page: Page, name: string): Promise<void> {
  await screenshot(page, name);
  const problems = await accessibilityProblems(page, name);
  if (problems.length) throw new Error(`Accessibility problems on ${name} (${page.url()}):\n${problems.join('\n')}`);
}

/** Signs up through the portal's form (and logs in, where sign-up asks to confirm the address first); lands on the dashboard. */
export async function signUpInBrowser(page: Page, email: string, password = 'correct-horse-battery'): Promise<void> {
  await page.goto('/signup');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByLabel(/I understand the trial lasts 24 hours/).check();
  await page.getByRole('button', { name: 'Create account and start trial' }).click();
  const dashboard = page.getByRole('heading', { name: 'Dashboard' });
  const checkInbox = page.getByRole('heading', { name: 'Check your inbox' });
  await dashboard.or(checkInbox).waitFor();
  if (await checkInbox.isVisible()) {
    await page.getByRole('link', { name: 'Log in', exact: true }).first().click();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await dashboard.waitFor();
  }
}

/** The widths every page is checked at: a laptop and a phone. */
export const WIDTHS = [1280, 390] as const;

/**
 * `capture` at 1280 px and at 390 px (a phone), as `<name>-1280` and `<name>-390`; at each width
 * the page must not scroll sideways. The viewport is 1280 px wide again afterwards.
 */
export async function captureAtWidths(page: Page, name: string): Promise<void> {
  const height = page.viewportSize()?.height ?? 860;
  try {
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      if (overflow > 0) {
        // The innermost elements past the right edge: what to fix.
        const culprits = await page.evaluate(() =>
          [...document.querySelectorAll('body *')]
            .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5 && ![...e.children].some((c) => c.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5))
            .slice(0, 5)
            .map((e) => `<${e.tagName.toLowerCase()} class="${e.className}">${(e.textContent ?? '').slice(0, 60)}`),
        );
        throw new Error(`${name} scrolls sideways by ${overflow} px at ${width} px wide (${page.url()}): ${culprits.join('; ')}`);
      }
      await capture(page, `${name}-${width}`);
    }
  } finally {
    await page.setViewportSize({ width: 1280, height });
  }
}
