import { cleanup, render } from '@testing-library/react';
import { afterEach, beforeEach } from 'vitest';
import { App } from '../app';
import { trialLive } from '../live/session-live';

/** Renders the whole portal at `path`, as a browser opening that address would. */
export function renderAt(path: string) {
  window.history.replaceState(null, '', path);
  return render(<App />);
}

/** Each test starts at `/` and leaves nothing mounted; `restore` undoes the test's fake API. */
export function resetAppBetweenTests(restore: () => void): void {
  beforeEach(() => {
    window.history.replaceState(null, '', '/');
    trialLive.clear();
  });
  afterEach(() => {
    cleanup();
    restore();
  });
}
