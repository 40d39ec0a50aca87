import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { AppConfig } from '../config/app-config';
import { hasWriteToken, isForeignOrigin } from './cross-site';
import { NOTEBOOK_FRAME_POLICY } from './frame-ancestors';
import { NotebookAccessService, NotebookTarget } from './notebook-access.service';
import { NotebookActivityService } from './notebook-activity.service';
import { NotebookForwarder } from './notebook-forwarder';
import { HANDOFF_PATH, NotebookHandoffService } from './notebook-handoff.service';
import {
  anonymousAnswer,
  crossSiteAnswer,
  handoffFailedAnswer,
  linkingToPortal,
  notebookLoginAnswer,
  notFoundAnswer,
  notRunningAnswer,
  ProxyAnswer,
  rejectUpgrade,
  sendAnswer,
  unreachableAnswer,
} from './notebook-pages';
import { NotebookOrigins } from './notebook-origins';
import { parseNotebookPath, safeNext } from './notebook-path';
import { ProxyMetrics, ProxyOutcome } from './proxy-metrics';
import { parseCookies } from './request-credentials';
import { callerRequestId } from '../logging/access-log';

/**
 * Client-to-server WebSocket chunks at least this large count as activity. A browser
 * answering Jupyter's keep-alive pings sends 6-byte pong frames every 30 s; those must not
 * keep an abandoned tab's notebook alive forever, while any real kernel message is larger.
 */
const ACTIVE_WEBSOCKET_CHUNK_BYTES = 32;

/** A request whose body may already have been read into a failed attempt cannot be sent again. */
const hasBody = (req: IncomingMessage) => !!req.headers['transfer-encoding'] || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');

/** A session's own origin, as NotebookOrigins.route found it. */
export interface NotebookSite {
  sessionId: string;
  origin: string;
}

type Decision = { answer: ProxyAnswer; outcome: ProxyOutcome } | { target: NotebookTarget };

/**
 * Session S's Jupyter, served on S's own origin (`<S>.<NOTEBOOK_DOMAIN>`, under Jupyter's base URL
 * `/notebook/<S>/`): only the owner, with that origin's cookie (or a bearer token), reaches it,
 * and only the proxy knows the Jupyter token. The portal's old `/notebook/<S>/…` path only hands
 * the owner off to that origin; it never serves notebook content.
 */
@Injectable()
export class NotebookProxy implements OnModuleDestroy {
  private readonly logger = new Logger('NotebookProxy');
  private readonly forwarder = new NotebookForwarder();

  constructor(
    private readonly access: NotebookAccessService,
    private readonly activity: NotebookActivityService,
    private readonly config: AppConfig,
    private readonly metrics: ProxyMetrics,
    private readonly handoffs: NotebookHandoffService,
    private readonly origins: NotebookOrigins,
  ) {}

  /** Any request to a notebook origin: its session's Jupyter, its hand-off route, and 404 for everything else. */
  async handleNotebookRequest(req: IncomingMessage, res: ServerResponse, site: NotebookSite): Promise<void> {
    res.setHeader('Content-Security-Policy', NOTEBOOK_FRAME_POLICY);
    const url = req.url ?? '/';
    if (url.split('?', 1)[0] === HANDOFF_PATH) return this.redeemHandoff(req, res, site, url);
    const path = parseNotebookPath(url);
    if (!path || path.sessionId !== site.sessionId) return this.answerOnNotebook(req, res, { answer: notFoundAnswer(), outcome: 'not_found' });
    if (path.bare) {
      // Jupyter only answers under its base URL, which ends in a slash.
      const query = url.includes('?') ? url.slice(url.indexOf('?')) : '';
      res.writeHead(302, { Location: `/notebook/${path.sessionId}/${query}`, 'Cache-Control': 'no-store' }).end();
      return;
    }
    await this.proxyRequest(req, res, url, site, callerRequestId(req), true);
  }

  /** A host under the notebook domain that names no session. */
  handleUnknownHost(req: IncomingMessage, res: ServerResponse): void {
    res.setHeader('Content-Security-Policy', NOTEBOOK_FRAME_POLICY);
    this.answerOnNotebook(req, res, { answer: notFoundAnswer(), outcome: 'not_found' });
  }

  /** The portal's old `/notebook/<S>/<rest>`: the owner is sent to S's origin with a one-time hand-off; everyone else gets 404 (or the log-in page). */
  async handlePortalPath(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const path = parseNotebookPath(url);
    const answer = (decision: { answer: ProxyAnswer; outcome: ProxyOutcome }) => {
      this.metrics.count('http', decision.outcome);
      sendAnswer(res, req.headers, decision.answer, callerRequestId(req));
    };
    if (!path || (req.method !== 'GET' && req.method !== 'HEAD')) return answer({ answer: notFoundAnswer(), outcome: 'not_found' });
    try {
      const access = await this.access.resolvePortal(path.sessionId, req.headers);
      if (access.kind === 'anonymous') return answer({ answer: anonymousAnswer(path.sessionId, access.message), outcome: 'anonymous' });
      if (access.kind === 'not-found') return answer({ answer: notFoundAnswer(), outcome: 'not_found' });
      const rest = url.slice(`/notebook/${path.sessionId}`.length);
      const minted = await this.handoffs.mint(access.user, path.sessionId, `/notebook/${path.sessionId}${path.bare ? `/${rest}` : rest}`);
      if (minted.kind === 'not-found') return answer({ answer: notFoundAnswer(), outcome: 'not_found' });
      // No notebook of this generation yet (or any more): the session page says what is happening.
      if (minted.kind === 'not-running') {
        this.metrics.count('http', 'not_running');
        res.writeHead(302, { Location: `/sessions/${path.sessionId}`, 'Cache-Control': 'no-store' }).end();
        return;
      }
      this.metrics.count('http', 'handed_off');
      res.writeHead(302, { Location: minted.url, 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' }).end();
    } catch (err) {
      answer(this.failed(err as Error));
    }
  }

  async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, site: NotebookSite, mayRetry = true): Promise<void> {
    if (mayRetry) socket.on('error', () => socket.destroy());
    const url = req.url ?? '/';
    const path = parseNotebookPath(url);
    const decision: Decision =
      !path || path.bare || path.sessionId !== site.sessionId ? { answer: notFoundAnswer(), outcome: 'not_found' } : await this.decide(req, url, 'GET', site).catch((err: Error) => this.failed(err));
    if ('answer' in decision) {
      this.metrics.count('websocket', decision.outcome);
      return rejectUpgrade(socket, decision.answer);
    }
    this.activity.touch(site.sessionId);
    if (mayRetry) {
      this.metrics.count('websocket', 'forwarded');
      this.metrics.openWebSockets.inc();
      socket.once('close', () => this.metrics.openWebSockets.dec());
    }
    this.forwarder.tunnel(
      req,
      socket,
      head,
      url,
      decision.target,
      () => {
        this.access.forgetSession(site.sessionId);
        if (mayRetry) void this.handleUpgrade(req, socket, head, site, false);
        else {
          this.metrics.count('websocket', 'unreachable');
          rejectUpgrade(socket, unreachableAnswer(site.sessionId));
        }
      },
      (bytes) => bytes >= ACTIVE_WEBSOCKET_CHUNK_BYTES && this.activity.touch(site.sessionId),
    );
  }

  /** This replica is shutting down: open WebSockets are closed cleanly (1001), so Jupyter reconnects through another. */
  goAway(): void {
    this.forwarder.goAway();
  }

  onModuleDestroy(): void {
    this.forwarder.close();
  }

  private async proxyRequest(req: IncomingMessage, res: ServerResponse, url: string, site: NotebookSite, requestId: string | undefined, mayRetry: boolean): Promise<void> {
    const decision = await this.decide(req, url, req.method ?? 'GET', site).catch((err: Error) => this.failed(err));
    if ('answer' in decision) return this.answerOnNotebook(req, res, decision, requestId);
    this.activity.touch(site.sessionId);
    if (mayRetry) this.metrics.count('http', 'forwarded');
    this.forwarder.forward(req, res, url, decision.target, () => {
      // The remembered address may be stale (the session was resumed on another port): look again, once, if nothing was consumed.
      this.access.forgetSession(site.sessionId);
      if (mayRetry && !hasBody(req)) void this.proxyRequest(req, res, url, site, requestId, false);
      else this.answerOnNotebook(req, res, { answer: unreachableAnswer(site.sessionId), outcome: 'unreachable' }, requestId);
    });
  }

  private async decide(req: IncomingMessage, url: string, method: string, site: NotebookSite): Promise<Decision> {
    if (isForeignOrigin(req.headers, site.origin)) return { answer: crossSiteAnswer(), outcome: 'cross_site' };
    const access = await this.access.resolve(site.sessionId, req.headers);
    switch (access.kind) {
      case 'anonymous':
        // Back through the portal, which knows the owner by its own cookie and hands off again.
        return { answer: notebookLoginAnswer(access.message, `${this.config.publicUrl}${method === 'GET' ? url : `/notebook/${site.sessionId}/tree`}`), outcome: 'anonymous' };
      case 'not-found':
        return { answer: notFoundAnswer(), outcome: 'not_found' };
      case 'not-running':
        return { answer: notRunningAnswer(site.sessionId, access.session), outcome: 'not_running' };
      case 'allowed':
        if (!hasWriteToken(method, access.via, req.headers, parseCookies(req.headers.cookie))) return { answer: crossSiteAnswer(), outcome: 'cross_site' };
        return { target: access.target };
    }
  }

  /** `/_trialhub/handoff?token=…&next=…` on S's origin: spends the token, sets S's cookie (host-only), and goes on to `next` (S's path only). */
  private async redeemHandoff(req: IncomingMessage, res: ServerResponse, site: NotebookSite, url: string): Promise<void> {
    const query = new URLSearchParams(url.includes('?') ? url.slice(url.indexOf('?') + 1) : '');
    const token = query.get('token');
    const next = safeNext(query.get('next'), site.sessionId);
    const again = `${this.config.publicUrl}/notebook/${site.sessionId}/tree`;
    if (req.method !== 'GET' || !token || !next) return this.answerOnNotebook(req, res, { answer: handoffFailedAnswer(again), outcome: 'handoff_refused' });
    let cookie: string | null;
    try {
      cookie = await this.handoffs.redeem(token, site.sessionId);
    } catch (err) {
      return this.answerOnNotebook(req, res, this.failed(err as Error));
    }
    if (!cookie) return this.answerOnNotebook(req, res, { answer: handoffFailedAnswer(again), outcome: 'handoff_refused' });
    const secure = this.origins.secure;
    this.metrics.count('http', 'handoff_redeemed');
    res
      .writeHead(302, {
        Location: next,
        // No Domain attribute: the cookie is this origin's alone.
        'Set-Cookie': `${this.origins.cookieName}=${cookie}; Path=/; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`,
        'Cache-Control': 'no-store',
        'Referrer-Policy': 'no-referrer',
      })
      .end();
  }

  private answerOnNotebook(req: IncomingMessage, res: ServerResponse, decision: { answer: ProxyAnswer; outcome: ProxyOutcome }, requestId = callerRequestId(req)): void {
    this.metrics.count('http', decision.outcome);
    sendAnswer(res, req.headers, linkingToPortal(decision.answer, this.config.publicUrl), requestId);
  }

  private failed(err: Error): { answer: ProxyAnswer; outcome: ProxyOutcome } {
    // The database is down or similar: a clear 503, never a crash or a hung socket.
    this.logger.error(`Notebook proxy could not decide on a request: ${err.message}`);
    return {
      outcome: 'error',
      answer: { status: 503, title: 'Trialhub is having trouble', message: 'Trialhub could not check your access to this notebook just now. This page retries in a few seconds.', link: { href: '/', label: 'Back to your dashboard' }, refreshSeconds: 5 },
    };
  }
}
