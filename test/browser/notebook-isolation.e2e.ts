/**
 * Issue 13: script in a notebook page is the notebook owner's, and must not act as whoever is
 * looking. Two users in one Chromium each open their notebook through the portal's link; then,
 * from script in A's notebook page (while B is the one logged in to the portal): no portal cookie
 * is readable, the portal's API answers nothing of B's account, a POST to the portal as B is
 * refused, and B's notebook cannot be read by fetch, iframe or WebSocket. On the old scheme (every
 * notebook under /notebook/<id>/ on the portal's origin) each of these fails.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { capture, newContext, screenshot, signUpInBrowser } from './support/browser';
import { useBrowserServer } from './support/browser-server';

/** Launches a CPU session from the dashboard and opens its notebook with the portal's link (a new tab). */
async function launchAndOpen(context: BrowserContext, page: Page, shot: string): Promise<{ sessionId: string; notebook: Page }> {
  await page.getByRole('radio', { name: /^This computer \(local mode\)/ }).check();
  await page.getByRole('button', { name: 'Launch' }).click();
  await page.waitForURL(/\/sessions\/[0-9a-f-]{36}$/);
  const sessionId = page.url().split('/').pop()!;
  const open = page.getByRole('link', { name: 'Open notebook' });
  await open.waitFor({ timeout: 90_000 });
  await capture(page, `${shot}-portal`);
  const [notebook] = await Promise.all([context.waitForEvent('page'), open.click()]);
  await notebook.waitForURL(new RegExp(`^http://${sessionId}\\.localhost:\\d+/notebook/${sessionId}/tree`));
  await notebook.waitForFunction(() => document.querySelector('#notebook_list') !== null, undefined, { timeout: 60_000 });
  await screenshot(notebook, `${shot}-notebook`);
  return { sessionId, notebook };
}

describe("a notebook page cannot act as the portal's viewer (Chromium)", () => {
  const web = useBrowserServer({}, 180_000);

  it("two users in one browser: A's notebook script reads no portal cookie, nothing of B's account, cannot POST as B, and cannot read B's notebook", { timeout: 300_000 }, async () => {
    // The portal on http://localhost:<port>: the notebook origins are <id>.localhost:<port>, its subdomains.
    const { server, browser } = web;
    const portal = server.config.publicUrl;
    const { context, page, errors } = await newContext(browser, portal);

    await signUpInBrowser(page, 'ada@example.com');
    const a = await launchAndOpen(context, page, 'isolation-01-a');
    // A leaves without logging out (that would end A's notebook log-in too); B logs in on the same browser.
    await context.clearCookies({ name: 'trialhub_session' });
    await context.clearCookies({ name: 'trialhub_csrf' });
    await signUpInBrowser(page, 'bob@example.com');
    const b = await launchAndOpen(context, page, 'isolation-02-b');
    const bobBefore = await page.evaluate(() => fetch('/api/sessions').then((r) => r.json()));
    expect(bobBefore).toHaveLength(1);

    const aOrigin = new URL(a.notebook.url()).origin;
    const bOrigin = new URL(b.notebook.url()).origin;
    expect(aOrigin).not.toBe(new URL(portal).origin);
    expect(aOrigin).not.toBe(bOrigin);

    // Script in A's notebook page does run there, as A (its own notebook answers it).
    const own = await a.notebook.evaluate((id) => fetch(`/notebook/${id}/api/contents`).then((r) => r.status), a.sessionId);
    expect(own).toBe(200);

    // 1. document.cookie holds no portal cookie (nor the notebook's own log-in: HttpOnly).
    const cookies = await a.notebook.evaluate(() => document.cookie);
    expect(cookies).not.toMatch(/trialhub_/);

    // 2. A credentialed fetch of the portal's /api/auth/me yields nothing of the viewer's account.
    const me = await a.notebook.evaluate(async (portalUrl) => {
      const outcomes: string[] = [];
      for (const url of [`${portalUrl}/api/auth/me`, '/api/auth/me']) {
        try {
          const r = await fetch(url, { credentials: 'include' });
          outcomes.push(`${r.status} ${await r.text()}`);
        } catch (err) {
          outcomes.push(`refused: ${(err as Error).name}`);
        }
      }
      return outcomes;
    }, portal);
    expect(me.join('\n')).not.toContain('bob@example.com');
    expect(me.join('\n')).not.toContain('ada@example.com');

    // 3. A POST to the portal as the viewer is refused: a simple (no-cors) one reaches the server but changes nothing,
    //    one with the CSRF header cannot even be sent (no preflight is answered, and the CSRF value is unreadable anyway).
    const posted = await a.notebook.evaluate(async (portalUrl) => {
      const outcomes: string[] = [];
      const attempts: Array<[string, RequestInit]> = [
        [`${portalUrl}/api/sessions`, { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ profile: 'cpu' }) }],
        [`${portalUrl}/api/auth/logout`, { method: 'POST', mode: 'no-cors', credentials: 'include' }],
        [`${portalUrl}/api/sessions`, { method: 'POST', credentials: 'include', headers: { 'content-type': 'application/json', 'x-csrf-token': 'guessed' }, body: JSON.stringify({ profile: 'cpu' }) }],
      ];
      for (const [url, init] of attempts) {
        try {
          const r = await fetch(url, init);
          outcomes.push(`${r.type} ${r.status}`);
        } catch (err) {
          outcomes.push(`refused: ${(err as Error).name}`);
        }
      }
      return outcomes;
    }, portal);
    expect(posted[2]).toMatch(/^refused/);
    // B is still logged in, and has still one session: nothing was done as B.
    const bobAfter = await page.evaluate(() => Promise.all([fetch('/api/auth/me').then((r) => r.json()), fetch('/api/sessions').then((r) => r.json())]));
    expect(bobAfter[0].user.email).toBe('bob@example.com');
    expect(bobAfter[1]).toHaveLength(1);

    // 4. B's notebook cannot be read from A's page: not by fetch, not in an iframe, not over a WebSocket.
    const fetched = await a.notebook.evaluate(async ({ origin, id }) => {
      try {
        const r = await fetch(`${origin}/notebook/${id}/api/contents`, { credentials: 'include' });
        return `${r.status} ${await r.text()}`;
      } catch (err) {
        return `refused: ${(err as Error).name}`;
      }
    }, { origin: bOrigin, id: b.sessionId });
    expect(fetched).toMatch(/^refused/);
    const framed = await a.notebook.evaluate(
      ({ origin, id }) =>
        new Promise<string>((resolve) => {
          const frame = document.createElement('iframe');
          frame.src = `${origin}/notebook/${id}/tree`;
          const done = () => {
            try {
              resolve(`readable: ${frame.contentDocument?.body?.innerHTML ?? 'null'}`);
            } catch (err) {
              resolve(`refused: ${(err as Error).name}`);
            }
          };
          frame.onload = done;
          setTimeout(done, 5000);
          document.body.appendChild(frame);
        }),
      { origin: bOrigin, id: b.sessionId },
    );
    expect(framed).not.toContain('notebook_list');
    expect(framed).toMatch(/^(refused|readable: null)/);
    // Nor does B's notebook render inside A's page at all (frame-ancestors 'none').
    const bFrame = a.notebook.frames().find((f) => f.url().startsWith(bOrigin));
    const rendered = bFrame ? await bFrame.evaluate(() => !!document.querySelector('#notebook_list')).catch(() => false) : false;
    expect(rendered).toBe(false);
    const socket = await a.notebook.evaluate(
      ({ origin, id }) =>
        new Promise<string>((resolve) => {
          const ws = new WebSocket(`${origin.replace('http', 'ws')}/notebook/${id}/api/kernels/00000000-0000-4000-8000-000000000000/channels`);
          ws.onopen = () => resolve('open');
          ws.onerror = () => resolve('refused');
          ws.onclose = () => resolve('refused');
          setTimeout(() => resolve('no answer'), 5000);
        }),
      { origin: bOrigin, id: b.sessionId },
    );
    expect(socket).toBe('refused');
    await screenshot(a.notebook, 'isolation-03-a-notebook-after-probes');

    // B's own notebook still works for B.
    expect(await b.notebook.evaluate((id) => fetch(`/notebook/${id}/api/contents`).then((r) => r.status), b.sessionId)).toBe(200);
    // The portal itself serves no notebook content: its old path only redirected B to B's origin.
    expect(new URL(b.notebook.url()).host).toBe(`${b.sessionId}.localhost:${new URL(portal).port}`);

    // No page threw, apart from the refusals A's probes caused in A's page.
    expect(errors.filter((e) => !e.startsWith(aOrigin))).toEqual([]);
    await context.close();
  });
});
