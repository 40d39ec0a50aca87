import { describe, expect, it } from 'vitest';
import { WorkQueue } from './work-queue';

describe('WorkQueue', () => {
  it('never runs one key twice at once, runs it again if re-added meanwhile, and bounds concurrency', async () => {
    const running = new Set<string>();
    let maxParallel = 0;
    const runs: string[] = [];
    const q = new WorkQueue(2, async (key) => {
      expect(running.has(key)).toBe(false);
      running.add(key);
      maxParallel = Math.max(maxParallel, running.size);
      runs.push(key);
      await new Promise((r) => setTimeout(r, 20));
      running.delete(key);
    });
    q.add('a');
    q.add('b');
    q.add('c');
    q.add('a'); // while a runs: once more afterwards
    q.add('a'); // coalesced with the previous one
    await q.drain();
    expect(maxParallel).toBe(2);
    expect(runs.filter((k) => k === 'a')).toHaveLength(2);
    expect(runs.sort()).toEqual(['a', 'a', 'b', 'c']);
  });
});
