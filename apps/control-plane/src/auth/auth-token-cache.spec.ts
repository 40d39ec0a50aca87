import { describe, expect, it } from 'vitest';
import { AUTH_CACHE_TTL_MS, AuthTokenCache } from './auth-token-cache';

const user = (id: string, tokenHash: string) => ({ id, email: `${id}@example.com`, role: 'user' as const, verified: true, tokenId: `t-${tokenHash}`, tokenHash });

describe('AuthTokenCache', () => {
  it('trusts a checked token for a second at most, and never past its expiry', () => {
    const cache = new AuthTokenCache();
    cache.set(user('u1', 'h1'), new Date(10_000_000), 1_000);
    expect(cache.get('h1', 1_000 + AUTH_CACHE_TTL_MS - 1)?.id).toBe('u1');
    expect(cache.get('h1', 1_000 + AUTH_CACHE_TTL_MS)).toBeUndefined();
    cache.set(user('u1', 'h2'), new Date(1_200), 1_000);
    expect(cache.get('h2', 1_199)?.id).toBe('u1');
    expect(cache.get('h2', 1_200)).toBeUndefined();
  });

  it('forgets one token on log-out and every token of a user on suspension or a new password', () => {
    const cache = new AuthTokenCache();
    const now = 5_000;
    cache.set(user('u1', 'a'), new Date(1e12), now);
    cache.set(user('u1', 'b'), new Date(1e12), now);
    cache.set(user('u2', 'c'), new Date(1e12), now);
    cache.forgetToken('a');
    expect(cache.get('a', now)).toBeUndefined();
    expect(cache.get('b', now)?.id).toBe('u1');
    cache.forgetUser('u1');
    expect(cache.get('b', now)).toBeUndefined();
    expect(cache.get('c', now)?.id).toBe('u2');
  });
});
