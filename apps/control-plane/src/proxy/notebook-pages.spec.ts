import { describe, expect, it } from 'vitest';
import type { SessionRow } from './notebook-access.service';
import { notRunningAnswer, renderPage } from './notebook-pages';

const ID = '3f2c9a4e-1b2d-4c5e-8f90-123456789abc';
const row = (state: SessionRow['state'], extra: Partial<SessionRow> = {}): SessionRow => ({ userId: 'u', state, endpointHost: null, endpointPort: null, generation: 1, mode: 'jupyter', reason: null, ...extra });

describe('pages for a notebook that cannot be reached', () => {
  it('a starting notebook: 503 that reloads itself', () => {
    for (const state of ['queued', 'provisioning', 'starting'] as const) {
      const a = notRunningAnswer(ID, row(state));
      expect(a).toMatchObject({ status: 503, refreshSeconds: 2 });
      expect(renderPage(a)).toContain('<meta http-equiv="refresh" content="2">');
    }
  });

  it('stopped, stopping and failed notebooks: 410 with the reason and a link to the session in the portal', () => {
    expect(notRunningAnswer(ID, row('stopped'))).toMatchObject({ status: 410, link: { href: `/sessions/${ID}` } });
    expect(notRunningAnswer(ID, row('stopping')).title).toBe('Your notebook is stopping');
    const failed = notRunningAnswer(ID, row('failed', { reason: 'The notebook server exited. <b>x</b>' }));
    expect(failed.message).toContain('The notebook server exited.');
    expect(renderPage(failed)).toContain('&#60;b&#62;x&#60;/b&#62;');
  });

  it('a headless session says it has no notebook', () => {
    expect(notRunningAnswer(ID, row('ready', { mode: 'headless' }))).toMatchObject({ status: 409, link: { href: '/results' } });
  });
});
