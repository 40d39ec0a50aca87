import { describe, expect, it } from 'vitest';
import { assertTransition, canTransition, IllegalTransitionError, SESSION_STATES, SESSION_TRANSITIONS } from './session-state';

describe('session state machine', () => {
  it('walks the happy path', () => {
    const path = ['queued', 'provisioning', 'starting', 'ready', 'stopping', 'stopped', 'queued'] as const;
    for (let i = 1; i < path.length; i++) expect(canTransition(path[i - 1], path[i])).toBe(true);
  });

  it('refuses shortcuts with a readable error', () => {
    expect(() => assertTransition('queued', 'ready')).toThrow(IllegalTransitionError);
    expect(() => assertTransition('stopped', 'ready')).toThrow('A session cannot go from stopped to ready');
    expect(canTransition('ready', 'starting')).toBe(false);
  });

  it('can fail from every live state and only resume from terminal ones', () => {
    for (const s of ['queued', 'provisioning', 'starting', 'ready', 'stopping'] as const) expect(canTransition(s, 'failed')).toBe(true);
    expect(SESSION_TRANSITIONS.stopped).toEqual(['queued']);
    expect(SESSION_TRANSITIONS.failed).toEqual(['queued']);
    for (const s of SESSION_STATES) expect(SESSION_TRANSITIONS[s]).not.toContain(s);
  });
});
