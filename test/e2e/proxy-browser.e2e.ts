import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionTokens } from '../../apps/control-plane/src/sessions/session-tokens';
import { launchBrowser, newContext } from '../browser/support/browser';
import { buildOnce } from '../support/control-plane-process';
import { ApiClient, setCookies } from '../support/http';
import { NotebookClient } from '../support/notebook-origin';
import { startTestServer, TestServer } from '../support/server';
import { killSessionProcesses } from '../support/session-processes';
import { waitFor } from '../support/wait';

const NOTEBOOK = 'Classifying-House-And-Pool-Images.ipynb';

/** Jupyter's own web UI, in Chromium, on the session's notebook origin through the proxy: its XSRF-protected writes and its kernel WebSocket work. */
describe("Jupyter's web UI through the proxy (Chromium)", () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    buildOnce();
    server = await startTestServer();
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    const dataDir = server?.dataDir;
    await server?.stop();
    if (dataDir) killSessionProcesses(dataDir);
  });

  it('opens the example notebook, runs TypeScript on the kernel and saves, with the token nowhere in the page', async () => {
    const api = new ApiClient(server.url);
    await api.signup('browser@example.com');
    const login = await api.post('/api/auth/login', { email: 'browser@example.com', password: 'correct-horse-battery' });
    const launched = await api.post('/api/sessions', { profile: 'cpu' });
    const session = await waitFor('ready', () => api.get(`/api/sessions/${launched.body.id}`).then((r) => r.body), (s) => s.state === 'ready', 90_000);

    const { context, page } = await newContext(browser, server.url);
    await context.addCookies(setCookies(login.headers).map((c) => {
      const [name, ...v] = c.split(';')[0].split('=');
      return { name, value: v.join('='), url: server.url };
    }));
    // The portal's old path hands off to the session's own origin, which Chromium resolves to loopback itself.
    await page.goto(`/notebook/${session.id}/notebooks/${NOTEBOOK}`);
    expect(new URL(page.url()).origin).toBe(`http://${session.id}.localhost:${new URL(server.url).port}`);
    expect(new URL(page.url()).pathname).toBe(`/notebook/${session.id}/notebooks/${NOTEBOOK}`);
    await page.waitForFunction(() => (window as any).Jupyter?.notebook?.kernel?.is_connected?.() === true, undefined, { timeout: 90_000 });
    expect(await page.evaluate(() => (window as any).Jupyter.notebook.kernel.name)).toBe('tslab');

    const printed = await page.evaluate(
      () =>
        new Promise<string>((resolve) => {
          let out = '';
          (window as any).Jupyter.notebook.kernel.execute('const n: number = 6 * 7;\nconsole.log(`from the browser: ${n}`);', {
            iopub: { output: (m: any) => (out += m.content.text ?? '') },
            shell: { reply: () => setTimeout(() => resolve(out), 300) },
          });
        }),
    );
    expect(printed).toBe('from the browser: 42\n');

    // Saving is an XSRF-protected PUT from Jupyter's own code (its promise rejects if the proxy refuses it).
    const nb = new NotebookClient(server.url, session.id);
    await nb.open(api, { loadPage: false });
    const before = (await nb.get(`/notebook/${session.id}/api/contents/${NOTEBOOK}?content=0`)).body.last_modified;
    await new Promise((r) => setTimeout(r, 1100));
    await page.evaluate(() => (window as any).Jupyter.notebook.save_notebook());
    const after = (await nb.get(`/notebook/${session.id}/api/contents/${NOTEBOOK}?content=0`)).body.last_modified;
    expect(Date.parse(after)).toBeGreaterThan(Date.parse(before));

    const { rows } = await (async () => {
      const { Client } = await import('pg');
      const c = new Client({ connectionString: server.databaseUrl });
      await c.connect();
      const r = await c.query(`SELECT generation FROM sessions WHERE id = $1`, [session.id]);
      await c.end();
      return r;
    })();
    const token = server.app.get(SessionTokens).jupyterToken(session.id, rows[0].generation);
    expect(await page.content()).not.toContain(token);
    expect((await context.cookies()).map((c) => c.value).join(' ')).not.toContain(token);
    await context.close();
  }, 180_000);
});
