import { describe, expect, it } from 'vitest';
import { settleWithLimit } from './map-limit';

describe('settleWithLimit', () => {
  it('never runs more than the limit at once and keeps every outcome in order', async () => {
    let running = 0;
    let most = 0;
    const results = await settleWithLimit([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 5 + (n % 3)));
      running--;
      if (n === 4) throw new Error('four');
      return n * 10;
    });
    expect(most).toBe(3);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([10, 20, 30, 'four', 50, 60, 70]);
  });

  it('resolves at once for no items', async () => {
    expect(await settleWithLimit([], 4, async () => 1)).toEqual([]);
  });
});
