import { describe, expect, it } from 'vitest';
import {
  assertTransition,
  canTransition,
  holdsCapacitySlot,
  IllegalTransitionError,
  RUNTIME_SESSION_STATES,
  SESSION_STATES,
  SESSION_TRANSITIONS,
  statesThatMayBecome,
} from './session-state';

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
    for (const s of ['queued', 'provisioning', 'starting', 'waiting', 'ready', 'stopping'] as const) expect(canTransition(s, 'failed')).toBe(true);
    expect(SESSION_TRANSITIONS.stopped).toEqual(['queued']);
    expect(SESSION_TRANSITIONS.failed).toEqual(['queued']);
    for (const s of SESSION_STATES) expect(SESSION_TRANSITIONS[s]).not.toContain(s);
  });

  it('waits for a GPU in a state of its own, never back in the queue', () => {
    // A launch the scheduler cannot place: starting → waiting → starting → ready, no second admission.
    for (const [from, to] of [['starting', 'waiting'], ['waiting', 'starting'], ['waiting', 'stopping']] as const) expect(canTransition(from, to)).toBe(true);
    for (const s of SESSION_STATES) if (s !== 'stopped' && s !== 'failed') expect(canTransition(s, 'queued')).toBe(false);
    // Stopping a waiting session goes through `stopping`, so its pod is deleted at once.
    expect(canTransition('waiting', 'stopped')).toBe(false);
    expect(RUNTIME_SESSION_STATES).toContain('waiting');
  });

  it('decides in one rule which states hold a capacity slot', () => {
    expect(SESSION_STATES.filter(holdsCapacitySlot)).toEqual(['provisioning', 'starting', 'ready', 'stopping']);
  });

  it('derives the source states of a set-based move from the table, and refuses a list the table does not allow', () => {
    expect(statesThatMayBecome('stopping')).toEqual(['queued', 'provisioning', 'starting', 'waiting', 'ready']);
    expect(statesThatMayBecome('stopping', ['ready'])).toEqual(['ready']);
    expect(() => statesThatMayBecome('stopping', ['stopped'])).toThrow('A session cannot go from stopped to stopping');
  });
});
