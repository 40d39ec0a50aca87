import { Injectable } from '@nestjs/common';
import { RUNTIME_SESSION_STATES, type SessionState } from '@trialhub/contracts';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AuthUser } from '../auth/auth-user';
import { randomToken, sha256 } from '../common/crypto';
import { queryRows } from '../database/query-rows';
import { NotebookClock } from './notebook-clock';
import { NotebookOrigins } from './notebook-origins';

/** A hand-off link works this long, once (JupyterHub's OAuth codes live about as long). */
export const HANDOFF_TTL_MS = 60_000;
/** A notebook cookie lasts at most this long (and never past the portal log-in it came from). */
export const NOTEBOOK_CREDENTIAL_TTL_MS = 24 * 3600 * 1000;
/** The notebook origin's own route that turns a hand-off token into its cookie. */
export const HANDOFF_PATH = '/_trialhub/handoff';

export type HandoffMint = { kind: 'minted'; url: string } | { kind: 'not-found' } | { kind: 'not-running'; state: SessionState };

/** Why there is no notebook to open yet (or any more), in words for the 409. */
export function notRunningMessage(state: SessionState): string {
  if (state === 'queued') return 'The notebook has not started yet: the session is queued for a free machine. Open it once the session page says it is starting.';
  return `The session has ${state === 'failed' ? 'failed' : 'stopped'}, so there is no notebook to open; resume it from its session page first.`;
}

/**
 * The one-time hand-off from the portal to a session's notebook origin: the portal (which
 * knows the owner by the portal cookie) mints a token bound to the session, its generation, the
 * owner and that log-in; the notebook origin redeems it once for a cookie of its own.
 */
@Injectable()
export class NotebookHandoffService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly origins: NotebookOrigins,
    private readonly clock: NotebookClock,
  ) {}

  /**
   * The hand-off URL for the session's owner; `not-found` when the session is not theirs (or does
   * not exist), `not-running` while it has no notebook of this generation: queued (admission starts
   * a new generation, which would void the hand-off at once), stopped or failed (a resume does).
   * One statement, so a session admitted meanwhile is either seen queued or with its final generation.
   */
  async mint(auth: AuthUser, sessionId: string, next: string): Promise<HandoffMint> {
    const token = randomToken();
    const now = this.clock.now();
    const rows = queryRows<{ state: SessionState; minted: boolean }>(
      await this.dataSource.query(
        `WITH owned AS (SELECT id, generation, user_id, state FROM sessions WHERE id = $2 AND user_id = $5),
         minted AS (
           INSERT INTO notebook_handoffs (token_hash, session_id, generation, user_id, auth_token_id, expires_at)
           SELECT $1, id, generation, user_id, $3, $4 FROM owned WHERE state = ANY($6)
           RETURNING id
         )
         SELECT owned.state, EXISTS (SELECT 1 FROM minted) AS minted FROM owned`,
        [sha256(token), sessionId, auth.tokenId, new Date(now.getTime() + HANDOFF_TTL_MS), auth.id, [...RUNTIME_SESSION_STATES]],
      ),
    );
    if (!rows.length) return { kind: 'not-found' };
    if (!rows[0].minted) return { kind: 'not-running', state: rows[0].state };
    await this.sweep(now);
    const query = new URLSearchParams({ token, next });
    return { kind: 'minted', url: `${this.origins.origin(sessionId)}${HANDOFF_PATH}?${query}` };
  }

  /**
   * Spends a hand-off token on `sessionId`'s origin and returns the new notebook cookie, or null
   * when the token is unknown, used, expired, for another session, or its session moved to a
   * new generation, changed hands, or its owner was suspended or logged out. One statement: two
   * redemptions racing for one token cannot both succeed.
   */
  async redeem(token: string, sessionId: string): Promise<string | null> {
    const cookie = randomToken();
    const now = this.clock.now();
    const rows = queryRows<{ session_id: string }>(
      await this.dataSource.query(
        `WITH used AS (
           UPDATE notebook_handoffs h SET used_at = $3
           FROM sessions s, users u, auth_tokens t
           WHERE h.token_hash = $1 AND h.session_id = $2 AND h.used_at IS NULL AND h.expires_at > $3
             AND s.id = h.session_id AND s.generation = h.generation AND s.user_id = h.user_id
             AND u.id = h.user_id AND u.suspended_at IS NULL
             AND t.id = h.auth_token_id AND t.expires_at > $3
           RETURNING h.session_id, h.generation, h.user_id, h.auth_token_id, md5(u.password_hash) AS stamp, t.expires_at AS log_in_ends
         )
         INSERT INTO notebook_credentials (token_hash, session_id, generation, user_id, auth_token_id, password_stamp, expires_at)
         SELECT $4, session_id, generation, user_id, auth_token_id, stamp, LEAST(log_in_ends, $5) FROM used
         RETURNING session_id`,
        [sha256(token), sessionId, now, sha256(cookie), new Date(now.getTime() + NOTEBOOK_CREDENTIAL_TTL_MS)],
      ),
    );
    return rows.length ? cookie : null;
  }

  /** Expired hand-offs and cookies are of no use to anyone; a mint clears them (indexed on expires_at). */
  private async sweep(now: Date): Promise<void> {
    await this.dataSource.query(`DELETE FROM notebook_handoffs WHERE expires_at < $1`, [now]);
    await this.dataSource.query(`DELETE FROM notebook_credentials WHERE expires_at < $1`, [now]);
  }
}
