import { describe, expect, it } from 'vitest';
import { decide } from './session-observation';

const ready = { sessionId: 's', phase: 'ready' as const, endpoint: { host: '127.0.0.1', port: 1 } };
const unschedulable = { sessionId: 's', phase: 'pending' as const, reason: 'Unschedulable', message: '0/2 nodes are available' };

describe('decide', () => {
  it('marks a starting session ready when the runtime says so', () => {
    expect(decide('starting', ready, 0, 60_000)).toEqual({ kind: 'ready', observation: ready });
    expect(decide('ready', ready, 0, 60_000)).toEqual({ kind: 'none' });
  });

  it('turns runtime failures into failures with their reason', () => {
    const d = decide('starting', { sessionId: 's', phase: 'failed', reason: 'ImagePullBackOff', message: 'The notebook image could not be pulled' }, 0, 60_000);
    expect(d).toEqual({ kind: 'fail', reasonCode: 'ImagePullBackOff', message: 'The notebook image could not be pulled' });
    expect(decide('waiting', { sessionId: 's', phase: 'failed', reason: 'Evicted' }, 0, 60_000).kind).toBe('fail');
  });

  it('makes an unschedulable session wait, keeps it waiting, and starts it when a node takes the pod', () => {
    expect(decide('starting', unschedulable, 0, 60_000)).toEqual({ kind: 'wait', message: '0/2 nodes are available' });
    expect(decide('waiting', unschedulable, 0, 60_000).kind).toBe('none');
    expect(decide('waiting', { sessionId: 's', phase: 'starting' }, 0, 60_000).kind).toBe('scheduled');
    // A pod that was scheduled and became ready between two looks still goes through starting.
    expect(decide('waiting', ready, 0, 60_000).kind).toBe('scheduled');
    // Queued sessions have no pod: observations of them are ignored.
    expect(decide('queued', { sessionId: 's', phase: 'starting' }, 0, 60_000).kind).toBe('none');
  });

  it('reports a ready session whose pod vanished as lost, and a starting or waiting one only after a grace period', () => {
    expect(decide('ready', undefined, 0, 60_000).kind).toBe('lost');
    expect(decide('starting', { sessionId: 's', phase: 'gone' }, 1_000, 60_000).kind).toBe('none');
    expect(decide('starting', undefined, 61_000, 60_000).kind).toBe('lost');
    expect(decide('waiting', undefined, 61_000, 60_000).kind).toBe('lost');
  });

  it('ignores terminal sessions', () => {
    expect(decide('stopped', ready, 0, 60_000).kind).toBe('none');
    expect(decide('failed', undefined, 0, 60_000).kind).toBe('none');
  });
});
