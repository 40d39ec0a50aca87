import { describe, expect, it, vi } from 'vitest';
import type { SessionState } from '@trialhub/contracts';
import type { SessionEntity } from '../database/entities';
import type { SessionsRepository, TransitionInput } from '../repositories/sessions.repository';
import type { RuntimeObservation, SessionRuntime } from '../runtime/session-runtime';
import type { SessionMetrics } from './session-metrics';
import { SessionObserver } from './session-observer';
import type { SessionTeardown } from './session-teardown';

/** A repository double that applies transitions in memory, recording them (the real SQL has its medium test). */
function setup(observations: Array<RuntimeObservation | undefined>) {
  const moves: Array<[SessionState, SessionState, string | null | undefined]> = [];
  const sessions = {
    transaction: (work: (m: unknown) => Promise<unknown>) => work({}),
    transition: async (_m: unknown, s: SessionEntity, input: TransitionInput) => {
      moves.push([s.state, input.to, input.reason]);
      return Object.assign(s, input.patch, { state: input.to });
    },
  } as unknown as SessionsRepository;
  const runtime = { observe: vi.fn(() => observations.shift()) } as unknown as SessionRuntime;
  const teardown = { fail: vi.fn(async () => undefined) } as unknown as SessionTeardown;
  const metrics = { launched: vi.fn() } as unknown as SessionMetrics;
  return { observer: new SessionObserver(sessions, runtime, metrics, teardown), moves, teardown };
}
const session = (state: SessionState) => ({ id: 's', state, startedAt: new Date(), queuedAt: new Date() }) as SessionEntity;

describe('SessionObserver', () => {
  it('makes a starting session whose pod has no node wait, and keeps looking at it on a timer', async () => {
    const { observer, moves } = setup([{ sessionId: 's', phase: 'pending', reason: 'Unschedulable', message: '0/1 nodes are available: 1 Insufficient nvidia.com/gpu.' }]);
    const s = session('starting');
    expect(await observer.observe(s)).toBeGreaterThan(0);
    expect(moves).toEqual([['starting', 'waiting', 'Unschedulable']]);
    expect(s.reason).toBe('0/1 nodes are available: 1 Insufficient nvidia.com/gpu.');
  });

  it('starts a waiting session when a GPU frees up, and marks it ready in the same step if Jupyter already answers', async () => {
    const ready: RuntimeObservation = { sessionId: 's', phase: 'ready', endpoint: { host: '10.0.0.9', port: 8888 } };
    const { observer, moves } = setup([ready, ready]);
    expect(await observer.observe(session('waiting'))).toBeNull();
    expect(moves).toEqual([['waiting', 'starting', 'scheduled'], ['starting', 'ready', 'ready']]);
  });

  it('fails a waiting session whose pod failed, with the runtime\'s reason', async () => {
    const { observer, moves, teardown } = setup([{ sessionId: 's', phase: 'failed', reason: 'Evicted', message: 'The node ran out of memory' }]);
    await observer.observe(session('waiting'));
    expect(moves).toEqual([]);
    expect(teardown.fail).toHaveBeenCalledWith(expect.objectContaining({ id: 's' }), 'Evicted', 'The node ran out of memory');
  });
});
