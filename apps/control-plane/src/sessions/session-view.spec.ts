import { describe, expect, it } from 'vitest';
import { ordinal, queuedReason, waitingReason } from './session-view';

describe('queuedReason and waitingReason', () => {
  it('says why a queued session waits for a slot, with its place in the queue', () => {
    expect(queuedReason({ profileName: 'power8-gpu' }, 3)).toBe('Every power8-gpu slot is in use; you are 3rd in the queue');
    expect(queuedReason({ profileName: 'power8-gpu' }, null)).toBe('Every power8-gpu slot is in use');
  });

  it('says in words why a waiting session has no node yet', () => {
    expect(waitingReason("0/4 nodes are available: 2 Insufficient nvidia.com/gpu, 2 node(s) didn't match Pod's node affinity/selector.")).toBe('No GPU node has a free nvidia.com/gpu');
    expect(waitingReason('0/2 nodes are available: 2 Insufficient memory.')).toBe('No node has enough free CPU or memory for this profile');
    expect(waitingReason("0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector.")).toBe('No node in the cluster matches this profile');
    expect(waitingReason('0/1 nodes are available: 1 node(s) were unschedulable.')).toBe('No node can take the notebook yet (0/1 nodes are available: 1 node(s) were unschedulable.)');
    expect(waitingReason(null)).toBe('No node can take the notebook yet');
  });

  it('writes English ordinals', () => {
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111].map(ordinal)).toEqual(['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd', '23rd', '101st', '111th']);
  });
});
