import { describe, expect, it } from 'vitest';
import { rateLimitKeys, waitSentence } from './rate-limit-policy';

describe('rate-limit policy', () => {
  it('counts log-in under address+email at the limit, then address and email ceilings', () => {
    const keys = rateLimitKeys('login', '198.51.100.7', 'ada@example.com', 10);
    expect(keys.first).toEqual({ key: expect.stringMatching(/^login:address\+email:[0-9a-f]{64}$/), limit: 10 });
    expect(keys.then).toEqual([
      { key: expect.stringMatching(/^login:address:[0-9a-f]{64}$/), limit: 50 },
      { key: expect.stringMatching(/^login:email:[0-9a-f]{64}$/), limit: 100 },
    ]);
    // No address or email is stored in the clear.
    expect(JSON.stringify(keys)).not.toMatch(/ada|198\.51/);
  });

  it('counts an attempt without an email (a reset confirmation) per address only', () => {
    expect(rateLimitKeys('password-reset-confirm', '198.51.100.7', '', 10)).toEqual({ first: { key: expect.stringMatching(/^password-reset-confirm:address:/), limit: 10 }, then: [] });
  });

  it('says how long to wait in seconds, or minutes for long waits', () => {
    expect(waitSentence(1)).toBe('Wait 1 second and try again.');
    expect(waitSentence(42)).toBe('Wait 42 seconds and try again.');
    expect(waitSentence(300)).toBe('Wait 5 minutes and try again.');
  });
});
