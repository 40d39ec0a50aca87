import { Injectable } from '@nestjs/common';
import type { AuthUser } from './auth-user';

/** How long a checked token is trusted without asking the database again. */
export const AUTH_CACHE_TTL_MS = 1000;
const MAX_ENTRIES = 20_000;

type CachedUser = Omit<AuthUser, 'via'>;

/**
 * A short-lived cache of checked tokens: a polling client costs one query a second, not one
 * per request. This process forgets entries at once when it logs out, suspends, demotes or
 * re-passwords a user; another replica's change is seen here within AUTH_CACHE_TTL_MS
 * (JupyterHub trusts its token cache for minutes).
 */
@Injectable()
export class AuthTokenCache {
  private readonly entries = new Map<string, { user: CachedUser; until: number }>();
  /** Other caches of credentials derived from a log-in (the notebook proxy's) forget with this one. */
  private readonly forgetListeners: Array<(what: { tokenHash: string } | { userId: string }) => void> = [];

  onForget(listener: (what: { tokenHash: string } | { userId: string }) => void): void {
    this.forgetListeners.push(listener);
  }

  get(tokenHash: string, now = Date.now()): CachedUser | undefined {
    const hit = this.entries.get(tokenHash);
    if (!hit) return undefined;
    if (hit.until <= now) {
      this.entries.delete(tokenHash);
      return undefined;
    }
    return hit.user;
  }

  set(user: CachedUser, tokenExpiresAt: Date, now = Date.now()): void {
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(user.tokenHash, { user, until: Math.min(now + AUTH_CACHE_TTL_MS, tokenExpiresAt.getTime()) });
  }

  forgetToken(tokenHash: string): void {
    this.entries.delete(tokenHash);
    for (const listener of this.forgetListeners) listener({ tokenHash });
  }

  forgetUser(userId: string): void {
    for (const [hash, { user }] of this.entries) if (user.id === userId) this.entries.delete(hash);
    for (const listener of this.forgetListeners) listener({ userId });
  }
}
