import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { IncomingHttpHeaders } from 'node:http';
import { DataSource } from 'typeorm';
import type { SessionState } from '@trialhub/contracts';
import type { AuthUser } from '../auth/auth-user';
import { AuthService } from '../auth/auth.service';
import { sha256 } from '../common/crypto';
import { queryRows } from '../database/query-rows';
import { SessionTokens } from '../sessions/session-tokens';
import { parseCookies, requestCredentials } from './request-credentials';
import { NotebookCredentials } from './notebook-credentials.service';
import { NotebookOrigins } from './notebook-origins';
import { cookieValues } from './request-credentials';
import { TtlCache } from './ttl-cache';

/** How long a resolved log-in is trusted: a log-out or suspension reaches the proxy within this. */
const AUTH_CACHE_MS = 2000;
/** How long a session's state and address are trusted: a stop reaches the proxy within this; a failed connection forgets them at once. */
const SESSION_CACHE_MS = 1000;

export interface NotebookTarget {
  host: string;
  port: number;
  /** Jupyter's token for this launch of the session; only the proxy ever sends it. */
  jupyterToken: string;
}

export interface SessionRow {
  userId: string;
  state: SessionState;
  endpointHost: string | null;
  endpointPort: number | null;
  generation: number;
  mode: 'jupyter' | 'headless' | null;
  reason: string | null;
}

/** How a request on a notebook origin authenticated: the origin's own cookie, or a portal bearer token (API clients). */
export type NotebookVia = 'notebook-cookie' | 'bearer';

/** What the proxy may do with one request to a session's notebook origin. */
export type NotebookAccess =
  | { kind: 'allowed'; via: NotebookVia; target: NotebookTarget }
  /** No credential, or one that ended (log-out, stop, resume, password change): 401. */
  | { kind: 'anonymous'; message: string }
  /** Unknown, or someone else's (indistinguishable on purpose): 404. */
  | { kind: 'not-found' }
  /** The owner's session, but no notebook server to reach right now. */
  | { kind: 'not-running'; session: SessionRow };

/** Who asks for a session's old portal path `/notebook/<id>/…`: only its owner is handed off to the notebook origin. */
export type PortalNotebookAccess = { kind: 'owner'; user: AuthUser } | { kind: 'anonymous'; message: string } | { kind: 'not-found' };

const ENDED = 'Your notebook log-in has ended (you logged out, changed your password, or the session was stopped or resumed). Open the notebook again from the portal.';

/** Decides who reaches which notebook server: only a session's owner, only while it is ready. */
@Injectable()
export class NotebookAccessService {
  private readonly users = new TtlCache<AuthUser | { rejected: string }>(AUTH_CACHE_MS);
  private readonly sessions = new TtlCache<SessionRow | null>(SESSION_CACHE_MS);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly auth: AuthService,
    private readonly tokens: SessionTokens,
    private readonly credentials: NotebookCredentials,
    private readonly origins: NotebookOrigins,
  ) {}

  /** A request on session `sessionId`'s own origin: its cookie (or a bearer token) must be the owner's, for this generation. */
  async resolve(sessionId: string, headers: IncomingHttpHeaders): Promise<NotebookAccess> {
    const auth = headers.authorization;
    if (auth?.startsWith('Bearer ')) {
      const user = await this.user(auth.slice(7).trim(), 'bearer');
      if ('rejected' in user) return { kind: 'anonymous', message: user.rejected };
      const session = await this.session(sessionId);
      if (!session || session.userId !== user.id) return { kind: 'not-found' };
      return this.reach(sessionId, session, 'bearer');
    }
    const cookies = cookieValues(headers.cookie, this.origins.cookieName);
    if (!cookies.length) return { kind: 'anonymous', message: 'Open your notebook from the Trialhub portal to log in to it.' };
    // Two cookies of one name: one was planted by a sibling origin. Neither is trusted.
    if (cookies.length > 1) return { kind: 'anonymous', message: 'Your browser sent two notebook log-ins; neither was trusted. Open the notebook again from the portal.' };
    const credential = await this.credentials.resolve(cookies[0]);
    if (!credential) return { kind: 'anonymous', message: ENDED };
    if (credential.sessionId !== sessionId) return { kind: 'not-found' };
    const session = await this.session(sessionId);
    if (!session || session.userId !== credential.userId) return { kind: 'not-found' };
    if (session.generation !== credential.generation) return { kind: 'anonymous', message: ENDED };
    return this.reach(sessionId, session, 'notebook-cookie');
  }

  /** The old path on the portal's origin, authenticated by the portal cookie or a bearer token. */
  async resolvePortal(sessionId: string, headers: IncomingHttpHeaders): Promise<PortalNotebookAccess> {
    const credentials = requestCredentials(headers, parseCookies(headers.cookie));
    if (!credentials) return { kind: 'anonymous', message: 'Log in to Trialhub to open your notebook.' };
    const user = await this.user(credentials.token, credentials.via);
    if ('rejected' in user) return { kind: 'anonymous', message: user.rejected };
    const session = await this.session(sessionId);
    if (!session || session.userId !== user.id) return { kind: 'not-found' };
    return { kind: 'owner', user };
  }

  /** Forgets every session's state (this replica just changed one: a stop or resume takes effect on the next request). */
  forgetSessions(): void {
    this.sessions.clear();
  }

  /** Forgets remembered log-ins (a log-out or suspension on this replica). */
  forgetUsers(what: { tokenHash: string } | { userId: string }): void {
    if ('userId' in what) this.users.deleteWhere((u) => 'id' in u && u.id === what.userId);
    else this.users.deleteWhere((u) => 'tokenHash' in u && u.tokenHash === what.tokenHash);
  }

  private reach(sessionId: string, session: SessionRow, via: NotebookVia): NotebookAccess {
    if (session.state !== 'ready' || !session.endpointHost || !session.endpointPort) return { kind: 'not-running', session };
    return { kind: 'allowed', via, target: { host: session.endpointHost, port: session.endpointPort, jupyterToken: this.tokens.jupyterToken(sessionId, session.generation) } };
  }

  /** Drops what is remembered of a session: its notebook server just could not be reached, so its address may be stale (a resume moves it). */
  forgetSession(sessionId: string): void {
    this.sessions.delete(sessionId);
  }

  private async user(token: string, via: AuthUser['via']): Promise<AuthUser | { rejected: string }> {
    const key = `${via}:${sha256(token)}`;
    const cached = this.users.get(key);
    if (cached) return cached;
    let result: AuthUser | { rejected: string };
    try {
      result = await this.auth.authenticate(token, via);
    } catch (err) {
      // Expired log-ins and suspended accounts; the service's message says which.
      result = { rejected: (err as Error).message };
    }
    this.users.set(key, result);
    return result;
  }

  private async session(id: string): Promise<SessionRow | null> {
    const cached = this.sessions.get(id);
    if (cached !== undefined) return cached;
    const [row] = queryRows<{ user_id: string; state: SessionState; endpoint_host: string | null; endpoint_port: number | null; generation: number; mode: SessionRow['mode']; reason: string | null }>(
      await this.dataSource.query(`SELECT user_id, state, endpoint_host, endpoint_port, generation, mode, reason FROM sessions WHERE id = $1`, [id]),
    );
    const session = row
      ? { userId: row.user_id, state: row.state, endpointHost: row.endpoint_host, endpointPort: row.endpoint_port, generation: row.generation, mode: row.mode, reason: row.reason }
      : null;
    this.sessions.set(id, session);
    return session;
  }
}
