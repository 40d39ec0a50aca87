import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { capture, newContext } from './support/browser';
import { useBrowserServer } from './support/browser-server';

const WIDTHS = [1280, 390] as const;

/** The captured step at both widths (screenshot + axe), and nothing scrolls sideways on the phone. */
async function captureAtWidths(page: Page, name: string): Promise<void> {
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 860 });
    await capture(page, `${name}-${width}`);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
  }
  await page.setViewportSize({ width: 1280, height: 860 });
}

/** The problem shown beside a field (linked by aria-describedby), or null. */
const problemBeside = (page: Page, label: string | RegExp) =>
  page.getByLabel(label, { exact: typeof label === 'string' }).evaluate((el) => {
    const ids = (el.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean);
    const error = ids.map((id) => document.getElementById(id)).find((e) => e?.classList.contains('field-error'));
    return el.getAttribute('aria-invalid') === 'true' ? (error?.textContent ?? null) : null;
  });

describe('portal: the sign-up form tells everything at once, in plain words', () => {
  // The embedded default: no SMTP, so email verification is off.
  const web = useBrowserServer();

  it('lists every problem it can see before sending, each beside its field', async () => {
    const { context, page, errors } = await newContext(web.browser, web.server.url);
    await page.goto('/signup');
    await page.getByLabel('Email').fill('walker@');
    await page.getByLabel('Password').fill('abc');
    await page.getByRole('button', { name: 'Create account and start trial' }).click();
    const alert = page.getByRole('alert');
    await expect(alert.getByRole('listitem').allTextContents()).resolves.toEqual([
      'This is not a whole email address: write it like ada@example.com.',
      'Use at least 8 characters for your password; a few unrelated words are easy to remember and hard to guess.',
      'Please confirm you have read the trial terms.',
    ]);
    await expect(problemBeside(page, 'Email')).resolves.toBe('This is not a whole email address: write it like ada@example.com.');
    await expect(problemBeside(page, 'Password')).resolves.toMatch(/^Use at least 8 characters/);
    await expect(problemBeside(page, /I understand the trial lasts 24 hours/)).resolves.toBe('Please confirm you have read the trial terms.');
    expect((await page.textContent('main')) ?? '').not.toMatch(/must be|should not|must contain/);
    await captureAtWidths(page, 'signup-1-local-problems');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows the server’s problems together: a malformed address and a common password, each with a reason', async () => {
    const { context, page, errors } = await newContext(web.browser, web.server.url);
    await page.goto('/signup');
    await page.getByLabel('Email').fill('walker@gmail..com');
    await page.getByLabel('Password').fill('password');
    await page.getByLabel(/I understand the trial lasts 24 hours/).check();
    await page.getByRole('button', { name: 'Create account and start trial' }).click();
    const alert = page.getByRole('alert');
    await alert.getByRole('listitem').first().waitFor();
    await expect(alert.getByRole('listitem').allTextContents()).resolves.toEqual([
      'This is not a whole email address: write it like ada@example.com.',
      'This password is too easy to guess: this is a heavily used password. Add more words that are less common.',
    ]);
    await expect(problemBeside(page, 'Password')).resolves.toMatch(/^This password is too easy to guess/);
    await expect(problemBeside(page, 'Email')).resolves.toMatch(/not a whole email address/);
    await captureAtWidths(page, 'signup-2-server-problems');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('suggests the likely address for a mistyped domain; a click accepts it; the account page says verification is not required here', async () => {
    const { context, page, errors } = await newContext(web.browser, web.server.url);
    await page.goto('/signup');
    await page.getByLabel('Email').fill('walker@gmial.com');
    await page.getByLabel('Password').focus();
    const suggestion = page.getByText('Did you mean walker@gmail.com?');
    await suggestion.waitFor();
    await captureAtWidths(page, 'signup-3-email-suggestion');
    await page.getByRole('button', { name: 'walker@gmail.com' }).click();
    await expect(page.getByLabel('Email').inputValue()).resolves.toBe('walker@gmail.com');
    await expect(suggestion.count()).resolves.toBe(0);
    await page.getByLabel('Password').fill('walker-ladder-quietly-47');
    await page.getByLabel(/I understand the trial lasts 24 hours/).check();
    await page.getByRole('button', { name: 'Create account and start trial' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    // Nothing asks a person to verify what this installation never asks for.
    await expect(page.getByText('Please verify your email address').count()).resolves.toBe(0);
    await page.getByRole('link', { name: 'Account' }).click();
    await page.getByText('walker@gmail.com').first().waitFor();
    const verification = page.locator('dt', { hasText: 'Email verification' }).locator('..');
    await expect(verification.textContent()).resolves.toMatch(/Not required here/);
    await expect(verification.textContent()).resolves.not.toMatch(/Verified/);
    await captureAtWidths(page, 'signup-4-settings-verification');
    expect(errors).toEqual([]);
    await context.close();
  });
});
