import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startTestServer, type TestServer } from '../../support/server';
import { killSessionProcesses } from '../../support/session-processes';
import { buildPortalIfStale, launchBrowser } from './browser';

export interface BrowserServer {
  /** The control plane (set once the describe's set-up ran). */
  readonly server: TestServer;
  readonly browser: Browser;
}

/**
 * The set-up every browser test shares, as hooks of the calling describe: the portal built if
 * stale, a control plane with `env`, Chromium; afterwards both closed and the notebook processes
 * a local-runtime control plane leaves on purpose killed. `env` may be a function, read when the
 * server starts, for what an earlier hook of the file starts (a mailbox, a fake cluster); hooks
 * the file registers before this one run before it, and their clean-up after its own.
 */
export function useBrowserServer(env: Record<string, string> | (() => Record<string, string>) = {}, setupTimeoutMs?: number): BrowserServer {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    buildPortalIfStale();
    server = await startTestServer(typeof env === 'function' ? env() : env);
    browser = await launchBrowser();
  }, setupTimeoutMs);
  afterAll(async () => {
    await browser?.close();
    const dataDir = server?.dataDir;
    await server?.stop();
    if (dataDir) killSessionProcesses(dataDir);
  });
  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`useBrowserServer: the ${what} is not started yet (use it inside a hook or a test)`);
    return value;
  };
  return {
    get server() {
      return ready(server, 'server');
    },
    get browser() {
      return ready(browser, 'browser');
    },
  };
}
