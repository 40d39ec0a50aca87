import { describe, expect, it } from 'vitest';
import { ordinal, queuedReason } from './session-view';

const unschedulable = (reason: string) => ({ reason, reasonCode: 'Unschedulable', profileName: 'x86-gpu' });

describe('queuedReason', () => {
  it('says why a session waits, in words, with its place in the queue', () => {
    expect(queuedReason({ reason: null, reasonCode: null, profileName: 'power8-gpu' }, 3)).toBe('Every power8-gpu slot is in use; you are 3rd in the queue');
    expect(queuedReason(unschedulable('0/4 nodes are available: 2 Insufficient nvidia.com/gpu, 2 node(s) didn\'t match Pod\'s node affinity/selector.'), 1)).toBe(
      'No GPU node has a free nvidia.com/gpu; you are 1st in the queue',
    );
    expect(queuedReason(unschedulable('0/2 nodes are available: 2 Insufficient memory.'), 2)).toBe('No node has enough free CPU or memory for this profile; you are 2nd in the queue');
    expect(queuedReason(unschedulable("0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector."), 1)).toBe('No node in the cluster matches this profile; you are 1st in the queue');
    expect(queuedReason(unschedulable('0/1 nodes are available: 1 node(s) were unschedulable.'), null)).toBe('No node can take the notebook yet (0/1 nodes are available: 1 node(s) were unschedulable.)');
  });

  it('writes English ordinals', () => {
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111].map(ordinal)).toEqual(['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd', '23rd', '101st', '111th']);
  });
});
