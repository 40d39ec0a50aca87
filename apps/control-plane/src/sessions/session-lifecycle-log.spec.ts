import { Logger } from '@nestjs/common';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { logTransition, transitionLogLine } from './session-lifecycle-log';

describe('the lifecycle log line', () => {
  afterEach(() => vi.restoreAllMocks());

  it('names the session, user, trial, the move and its reason', () => {
    const line = transitionLogLine({ sessionId: 's1', userId: 'u1', trialId: 't1', from: 'ready', to: 'stopping', reason: 'trial-ended' });
    expect(line.fields).toEqual({ event: 'session.stopping', sessionId: 's1', userId: 'u1', trialId: 't1', from: 'ready', to: 'stopping', reason: 'trial-ended' });
    expect(line.message).toBe('Session s1: ready -> stopping (trial-ended)');
  });

  it('gives the time to ready for `ready` only', () => {
    const ready = transitionLogLine({ sessionId: 's1', userId: 'u1', trialId: 't1', from: 'starting', to: 'ready', reason: 'ready', msToReady: 4250 });
    expect(ready.fields.msToReady).toBe(4250);
    expect(ready.message).toBe('Session s1: starting -> ready (ready) in 4.3 s');
    expect(transitionLogLine({ sessionId: 's1', userId: 'u1', trialId: 't1', from: null, to: 'queued', reason: 'launch', msToReady: 1 }).fields).not.toHaveProperty('msToReady');
  });

  it('writes one info line per transition', () => {
    const info = vi.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    logTransition({ sessionId: 's1', userId: 'u1', trialId: 't1', from: 'starting', to: 'waiting', reason: 'Unschedulable' });
    expect(info).toHaveBeenCalledTimes(1);
    expect(info.mock.calls[0]).toEqual([expect.objectContaining({ sessionId: 's1', from: 'starting', to: 'waiting' }), 'Session s1: starting -> waiting (Unschedulable)']);
  });
});
