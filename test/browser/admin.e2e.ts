import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ApiClient } from '../support/http';
import { newContext, capture, signUpInBrowser } from './support/browser';
import { useBrowserServer } from './support/browser-server';

const ADMIN = { email: 'operator@trialhub.test', password: 'operator-password-1' };

/** Logs in through the portal's form; `next` is where the log-in page sends us afterwards. */
async function logInAsAdmin(page: Page, next = '/'): Promise<void> {
  await page.goto(next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL((url) => url.pathname === next);
}

const inputValue = (page: Page, label: string) => page.getByLabel(label, { exact: true }).inputValue();

describe('portal: the admin console in a real browser', () => {
  const web = useBrowserServer({ ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password });
  let admin: ApiClient;

  beforeAll(async () => {
    admin = new ApiClient(web.server.url);
    expect((await admin.post('/api/auth/login', ADMIN)).status).toBe(200);
  });

  it('changes quotas and a profile\'s slots, which persist across a reload; a bad value is refused in words', async () => {
    const { context, page, errors } = await newContext(web.browser, web.server.url);
    await logInAsAdmin(page);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
    await page.getByRole('heading', { name: 'Administration', level: 1 }).waitFor();
    await expect(page.getByText(/Saving never stops a running session/).isVisible()).resolves.toBe(true);
    expect(await inputValue(page, 'Sessions per user')).toBe('1');
    expect(await inputValue(page, 'Trial duration')).toBe('24');

    await page.getByLabel('Sessions per user', { exact: true }).fill('3');
    await page.getByLabel('Trial duration', { exact: true }).fill('36');
    await page.getByLabel('Blocked email domains').fill('spam.example\nthrowaway.example');
    await page.getByRole('button', { name: 'Save quotas' }).click();
    await expect(page.getByText(/^Quotas saved/).textContent()).resolves.toMatch(/sessions per user, trial duration, blocked email domains.*running sessions keep running/);

    const profiles = page.getByRole('table', { name: /Session profiles/ });
    await profiles.getByLabel('Slots for CPU only').fill('9');
    await profiles.getByRole('button', { name: 'Save CPU only' }).click();
    await profiles.getByText('Saved.').waitFor();
    await capture(page, 'admin-1-quotas-saved');

    await page.reload();
    await page.getByLabel('Sessions per user', { exact: true }).waitFor();
    expect(await inputValue(page, 'Sessions per user')).toBe('3');
    expect(await inputValue(page, 'Trial duration')).toBe('36');
    expect(await page.getByLabel('Blocked email domains').inputValue()).toBe('spam.example\nthrowaway.example');
    expect(await page.getByRole('table', { name: /Session profiles/ }).getByLabel('Slots for CPU only').inputValue()).toBe('9');

    // The server has them (the API, not the page, is the source of truth).
    const quotas = (await admin.get('/api/admin/quotas')).body;
    expect(quotas).toMatchObject({ sessionsPerUser: 3, trialDurationMs: 36 * 3600_000, blockedEmailDomains: ['spam.example', 'throwaway.example'] });
    expect((await admin.get('/api/admin/profiles')).body.find((p: { name: string }) => p.name === 'cpu').slots).toBe(9);

    // Out of range: the field and an alert say so in words; nothing changes.
    await page.getByLabel('Sessions per user', { exact: true }).fill('500');
    await page.getByRole('button', { name: 'Save quotas' }).click();
    const alert = page.getByRole('alert');
    await expect(alert.textContent()).resolves.toMatch(/The quotas were not saved:.*Sessions per user must not be greater than 100\./);
    await expect(page.getByLabel('Sessions per user', { exact: true }).getAttribute('aria-invalid')).resolves.toBe('true');
    expect(await page.textContent('main')).not.toMatch(/statusCode|requestId|\{"|sessionsPerUser/);
    expect((await admin.get('/api/admin/quotas')).body.sessionsPerUser).toBe(3);
    await capture(page, 'admin-2-quota-refused');

    // Phone-sized: the console stacks; only the tables scroll sideways, inside their own box.
    await page.setViewportSize({ width: 390, height: 844 });
    await expect(page.evaluate(() => document.documentElement.scrollWidth)).resolves.toBeLessThanOrEqual(390);
    await admin.put('/api/admin/quotas', { blockedEmailDomains: [], sessionsPerUser: 1 });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('lists the waitlist in order, admits one by its row and then the next N; a non-admin is told the console is for admins', async () => {
    const put = await admin.put('/api/admin/quotas', { maxActiveTrials: 0 });
    expect(put.status).toBe(200);
    const { trialDurationMs } = put.body;
    const people = ['wait-a@example.com', 'wait-b@example.com', 'wait-c@example.com', 'wait-d@example.com'];
    const clients = people.map(() => new ApiClient(web.server.url));
    for (const [i, c] of clients.entries()) {
      await c.signup(people[i]);
      expect((await c.get('/api/trial')).body).toMatchObject({ state: 'waitlisted', position: i + 1 });
    }

    const { context, page, errors } = await newContext(web.browser, web.server.url);
    await logInAsAdmin(page, '/admin/waitlist');
    const rows = () => page.getByRole('table', { name: /waiting, first in line first/ }).getByRole('rowheader').allTextContents();
    await page.getByRole('table', { name: '4 people waiting, first in line first' }).waitFor();
    expect(await rows()).toEqual(people);
    await capture(page, 'admin-3-waitlist');

    await page.getByRole('button', { name: 'Admit wait-b@example.com' }).click();
    await page.getByText('Admitted 1 person: their trial has started.').waitFor();
    await page.getByRole('table', { name: '3 people waiting, first in line first' }).waitFor();
    expect(await rows()).toEqual(['wait-a@example.com', 'wait-c@example.com', 'wait-d@example.com']);
    expect((await clients[1].get('/api/trial')).body.state).toBe('active');
    expect((await clients[0].get('/api/trial')).body).toMatchObject({ state: 'waitlisted', position: 1 });

    await page.getByLabel('How many to admit').fill('2');
    await page.getByRole('button', { name: 'Admit next 2' }).click();
    await page.getByText('Admitted 2 people: their trial has started.').waitFor();
    await page.getByRole('table', { name: '1 person waiting, first in line first' }).waitFor();
    expect(await rows()).toEqual(['wait-d@example.com']);
    for (const i of [0, 1, 2]) {
      const trial = (await clients[i].get('/api/trial')).body;
      expect(trial.state, people[i]).toBe('active');
      expect(Date.parse(trial.expiresAt) - Date.parse(trial.activatedAt)).toBe(trialDurationMs);
    }
    expect((await clients[3].get('/api/trial')).body).toMatchObject({ state: 'waitlisted', position: 1 });
    expect((await admin.get('/api/admin/waitlist')).body.map((w: { email: string }) => w.email)).toEqual(['wait-d@example.com']);
    await capture(page, 'admin-4-waitlist-admitted');
    expect(errors).toEqual([]);
    await context.close();

    // A signed-in user without the admin role who types /admin: a clear message, no Admin link, no crash.
    const visitor = await newContext(web.browser, web.server.url);
    await signUpInBrowser(visitor.page, 'curious@example.com');
    await expect(visitor.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).count()).resolves.toBe(0);
    await visitor.page.goto('/admin/users');
    await visitor.page.getByRole('heading', { name: 'Admins only' }).waitFor();
    await expect(visitor.page.textContent('main')).resolves.toMatch(/curious@example\.com\) does not have the admin role/);
    await capture(visitor.page, 'admin-5-admins-only');
    expect(visitor.errors).toEqual([]);
    await visitor.context.close();
    await admin.put('/api/admin/quotas', { maxActiveTrials: null });
  });

  it("finds a user, extends, ends and re-grants their trial; the usage CSV downloads with the admin's session", async () => {
    const user = new ApiClient(web.server.url);
    await user.signup('extend-me@example.com');
    const before = (await user.get('/api/trial')).body;

    const { context, page, errors } = await newContext(web.browser, web.server.url);
    await logInAsAdmin(page, '/admin/users');
    await page.getByLabel('Search users').fill('extend-me');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByRole('link', { name: 'extend-me@example.com' }).click();
    await page.getByRole('heading', { name: 'extend-me@example.com' }).waitFor();
    await page.getByLabel('Hours to add').fill('2');
    await page.getByRole('button', { name: 'Extend trial' }).click();
    await page.getByText('Trial extended by 2 hours.').waitFor();
    expect(Date.parse((await user.get('/api/trial')).body.expiresAt) - Date.parse(before.expiresAt)).toBe(2 * 3600_000);

    await page.getByRole('button', { name: 'End trial', exact: true }).click();
    await page.getByRole('dialog', { name: 'End this trial?' }).getByRole('button', { name: 'End trial', exact: true }).click();
    await page.getByText('The trial has ended; its sessions are stopping.').waitFor();
    expect((await user.get('/api/trial')).body).toMatchObject({ state: 'ended', endReason: 'admin' });
    await page.getByRole('button', { name: 'Grant another trial' }).click();
    await page.getByText('A new trial is granted.').waitFor();
    expect((await user.get('/api/trial')).body.state).toBe('active');
    await capture(page, 'admin-6-user-detail');

    await page.getByRole('navigation', { name: 'Admin sections' }).getByRole('link', { name: 'Usage' }).click();
    await page.getByRole('table', { name: 'Usage per day, newest first' }).waitFor();
    const href = await page.getByRole('link', { name: 'Download CSV' }).getAttribute('href');
    expect(href).toBe('/api/admin/usage?days=30&format=csv');
    const csv = await page.evaluate((url) => fetch(url).then(async (r) => ({ type: r.headers.get('content-type'), text: await r.text() })), href!);
    expect(csv.type).toMatch(/text\/csv/);
    expect(csv.text.split('\n')[0]).toMatch(/^day,trials_started,sessions,gpu_hours,/);
    expect(csv.text.trim().split('\n')).toHaveLength(31);
    await capture(page, 'admin-7-usage');
    expect(errors).toEqual([]);
    await context.close();
  });
});
