import { describe, expect, it } from 'vitest';
import { ObservationCache } from './observation-cache';
import type { RuntimeObservation } from './session-runtime';

const ID = '3f1c2a4e-8b7d-4c1a-9e2f-0a1b2c3d4e5f';
const silent = () => {
  const errors: string[] = [];
  return { errors, logger: { error: (m: string) => errors.push(m) } };
};

describe('the observation cache both drivers share', () => {
  it('tells listeners of a change, and keeps the latest observation per session', () => {
    const cache = new ObservationCache(silent().logger);
    const heard: RuntimeObservation[] = [];
    cache.subscribe((o) => heard.push(o));
    cache.record({ sessionId: ID, phase: 'starting', node: 'n1' });
    cache.record({ sessionId: ID, phase: 'ready', node: 'n1', endpoint: { host: '10.0.0.1', port: 8888 } });
    expect(heard.map((o) => o.phase)).toEqual(['starting', 'ready']);
    expect(cache.get(ID)?.phase).toBe('ready');
  });

  it('drops a repeat of the last observation, even with its fields in another order', () => {
    const cache = new ObservationCache(silent().logger);
    const heard: RuntimeObservation[] = [];
    cache.subscribe((o) => heard.push(o));
    expect(cache.record({ sessionId: ID, phase: 'ready', node: 'n1', endpoint: { host: 'h', port: 1 } })).toBe(true);
    expect(cache.record({ endpoint: { port: 1, host: 'h' }, node: 'n1', phase: 'ready', sessionId: ID })).toBe(false);
    expect(cache.record({ sessionId: ID, phase: 'ready', node: 'n2', endpoint: { host: 'h', port: 1 } })).toBe(true);
    expect(heard).toHaveLength(2);
  });

  it('forgets a session that is gone, and does not announce "gone" for a session it never saw', () => {
    const cache = new ObservationCache(silent().logger);
    const heard: RuntimeObservation[] = [];
    cache.subscribe((o) => heard.push(o));
    cache.record({ sessionId: ID, phase: 'gone' });
    expect(heard).toEqual([]);
    cache.record({ sessionId: ID, phase: 'starting' });
    cache.record({ sessionId: ID, phase: 'gone' });
    expect(heard.map((o) => o.phase)).toEqual(['starting', 'gone']);
    expect(cache.get(ID)).toBeUndefined();
  });

  it('keeps telling the other listeners when one throws, and logs the failure', () => {
    const { errors, logger } = silent();
    const cache = new ObservationCache(logger);
    const heard: string[] = [];
    cache.subscribe(() => heard.push('first'));
    cache.subscribe(() => {
      throw new Error('listener broke');
    });
    cache.subscribe(() => heard.push('third'));
    expect(() => cache.record({ sessionId: ID, phase: 'starting' })).not.toThrow();
    expect(heard).toEqual(['first', 'third']);
    expect(errors.join('\n')).toContain('listener broke');
  });

  it('stops telling a listener that unsubscribed', () => {
    const cache = new ObservationCache(silent().logger);
    const heard: string[] = [];
    const unsubscribe = cache.subscribe((o) => heard.push(o.phase));
    cache.record({ sessionId: ID, phase: 'starting' });
    unsubscribe();
    cache.record({ sessionId: ID, phase: 'ready' });
    expect(heard).toEqual(['starting']);
  });
});
