import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { sha256 } from '../common/crypto';
import { queryRows } from '../database/query-rows';
import { TtlCache } from './ttl-cache';

/** How long a checked notebook cookie is trusted here; another replica's log-out or password change reaches this one within it. */
export const NOTEBOOK_CREDENTIAL_CACHE_MS = 1000;

/** What a notebook cookie stands for: one generation of one session, for its owner, through one portal log-in. */
export interface NotebookCredential {
  sessionId: string;
  generation: number;
  userId: string;
  /** The portal log-in's token hash: forgetting that log-in forgets this. */
  authTokenHash: string;
}

/** Checks notebook cookies (`notebook_credentials`), with a short cache that log-outs, suspensions and password changes on this replica clear at once. */
@Injectable()
export class NotebookCredentials {
  private readonly cache = new TtlCache<NotebookCredential | { rejected: true }>(NOTEBOOK_CREDENTIAL_CACHE_MS);

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async resolve(cookie: string): Promise<NotebookCredential | null> {
    const key = sha256(cookie);
    const cached = this.cache.get(key);
    if (cached) return 'rejected' in cached ? null : cached;
    // The portal log-in must still exist (log-out, log-out everywhere, suspension and reset delete it, and with it this row),
    // the account must not be suspended, and the password must be the one the cookie was issued under.
    const [row] = queryRows<{ session_id: string; generation: number; user_id: string; auth_token_hash: string }>(
      await this.dataSource.query(
        `SELECT c.session_id, c.generation, c.user_id, t.token_hash AS auth_token_hash
         FROM notebook_credentials c JOIN auth_tokens t ON t.id = c.auth_token_id JOIN users u ON u.id = c.user_id
         WHERE c.token_hash = $1 AND c.expires_at > now() AND t.expires_at > now() AND u.suspended_at IS NULL AND c.password_stamp = md5(u.password_hash)`,
        [key],
      ),
    );
    const credential = row ? { sessionId: row.session_id, generation: row.generation, userId: row.user_id, authTokenHash: row.auth_token_hash } : null;
    this.cache.set(key, credential ?? { rejected: true });
    return credential;
  }

  forget(what: { tokenHash: string } | { userId: string }): void {
    if ('userId' in what) this.cache.deleteWhere((c) => 'userId' in c && c.userId === what.userId);
    else this.cache.deleteWhere((c) => 'authTokenHash' in c && c.authTokenHash === what.tokenHash);
  }
}
