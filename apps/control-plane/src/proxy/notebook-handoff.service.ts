import { Injectable } from '@nestjs/common';
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

  /** The hand-off URL for the session's owner, or null when it is not theirs (or does not exist). */
  async mint(auth: AuthUser, sessionId: string, next: string): Promise<string | null> {
    const token = randomToken();
    const now = this.clock.now();
    const rows = queryRows<{ id: string }>(
      await this.dataSource.query(
        `INSERT INTO notebook_handoffs (token_hash, session_id, generation, user_id, auth_token_id, expires_at)
         SELECT $1, s.id, s.generation, s.user_id, $3, $4 FROM sessions s WHERE s.id = $2 AND s.user_id = $5
         RETURNING id`,
        [sha256(token), sessionId, auth.tokenId, new Date(now.getTime() + HANDOFF_TTL_MS), auth.id],
      ),
    );
    if (!rows.length) return null;
    await this.sweep(now);
    const query = new URLSearchParams({ token, next });
    return `${this.origins.origin(sessionId)}${HANDOFF_PATH}?${query}`;
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
