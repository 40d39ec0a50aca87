import { Injectable } from '@nestjs/common';
import { hmac, safeEqual } from '../common/crypto';
import { AppConfig } from '../config/app-config';

/**
 * A session's credentials are derived from the server secret, the session id and its
 * generation (bumped on every launch), so nothing secret is stored and a relaunch after a
 * crash recreates exactly the same ones: launch stays idempotent.
 */
@Injectable()
export class SessionTokens {
  constructor(private readonly config: AppConfig) {}

  jupyterToken(sessionId: string, generation: number): string {
    return hmac(this.config.secret, `jupyter:${sessionId}:${generation}`);
  }

  /** `<sessionId>.<generation>.<mac>`: the upload API reads the session from the token itself. */
  uploadToken(sessionId: string, generation: number): string {
    return `${sessionId}.${generation}.${hmac(this.config.secret, `upload:${sessionId}:${generation}`)}`;
  }

  /** The session and generation an upload token was made for, or null if it is not genuine. */
  parseUploadToken(token: string): { sessionId: string; generation: number } | null {
    const m = /^([0-9a-f-]{36})\.(\d{1,9})\.([\w-]{43})$/.exec(token);
    if (!m) return null;
    const generation = Number(m[2]);
    if (!safeEqual(m[3], hmac(this.config.secret, `upload:${m[1]}:${generation}`))) return null;
    return { sessionId: m[1], generation };
  }
}
