import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { AppConfig } from '../config/app-config';
import { hasWriteToken, isForeignOrigin } from './cross-site';
import { NotebookAccessService } from './notebook-access.service';
import { NotebookActivityService } from './notebook-activity.service';
import { NotebookForwarder } from './notebook-forwarder';
import { anonymousAnswer, crossSiteAnswer, notFoundAnswer, notRunningAnswer, ProxyAnswer, rejectUpgrade, sendAnswer, unreachableAnswer } from './notebook-pages';
import { parseNotebookPath } from './notebook-path';
import { ProxyMetrics, ProxyOutcome } from './proxy-metrics';
import { parseCookies } from './request-credentials';

/**
 * Client-to-server WebSocket chunks at least this large count as activity. A browser
 * answering Jupyter's keep-alive pings sends 6-byte pong frames every 30 s; those must not
 * keep an abandoned tab's notebook alive forever, while any real kernel message is larger.
 */
const ACTIVE_WEBSOCKET_CHUNK_BYTES = 32;

/** A request whose body may already have been read into a failed attempt cannot be sent again. */
const hasBody = (req: IncomingMessage) => !!req.headers['transfer-encoding'] || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');

type Decision = { answer: ProxyAnswer; outcome: ProxyOutcome } | { url: string; target: import('./notebook-access.service').NotebookTarget; sessionId: string };

/** `/notebook/<sessionId>/…`: only the session's owner reaches its notebook server, which gets the Jupyter token from here. */
@Injectable()
export class NotebookProxy implements OnModuleDestroy {
  private readonly logger = new Logger('NotebookProxy');
  private readonly forwarder = new NotebookForwarder();

  constructor(
    private readonly access: NotebookAccessService,
    private readonly activity: NotebookActivityService,
    private readonly config: AppConfig,
    private readonly metrics: ProxyMetrics,
  ) {}

  async handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const incomingId = req.headers['x-request-id'];
    const requestId = typeof incomingId === 'string' && /^[\w.-]{1,128}$/.test(incomingId) ? incomingId : undefined;
    const path = parseNotebookPath(url);
    if (path?.bare) {
      // Jupyter only answers under its base URL, which ends in a slash.
      const query = url.includes('?') ? url.slice(url.indexOf('?')) : '';
      res.writeHead(302, { Location: `/notebook/${path.sessionId}/${query}`, 'Cache-Control': 'no-store' }).end();
      return;
    }
    await this.proxyRequest(req, res, url, requestId, true);
  }

  private async proxyRequest(req: IncomingMessage, res: ServerResponse, url: string, requestId: string | undefined, mayRetry: boolean): Promise<void> {
    const decision = await this.decide(req, url, req.method ?? 'GET').catch((err: Error) => this.failed(err));
    if ('answer' in decision) {
      this.metrics.count('http', decision.outcome);
      return sendAnswer(res, req.headers, decision.answer, requestId);
    }
    this.activity.touch(decision.sessionId);
    if (mayRetry) this.metrics.count('http', 'forwarded');
    this.forwarder.forward(req, res, decision.url, decision.target, () => {
      // The remembered address may be stale (the session was resumed on another port): look again, once, if nothing was consumed.
      this.access.forgetSession(decision.sessionId);
      if (mayRetry && !hasBody(req)) void this.proxyRequest(req, res, url, requestId, false);
      else {
        this.metrics.count('http', 'unreachable');
        sendAnswer(res, req.headers, unreachableAnswer(decision.sessionId), requestId);
      }
    });
  }

  async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, mayRetry = true): Promise<void> {
    if (mayRetry) socket.on('error', () => socket.destroy());
    const url = req.url ?? '/';
    const decision = await this.decide(req, url, 'GET').catch((err: Error) => this.failed(err));
    if ('answer' in decision) {
      this.metrics.count('websocket', decision.outcome);
      return rejectUpgrade(socket, decision.answer);
    }
    this.activity.touch(decision.sessionId);
    if (mayRetry) {
      this.metrics.count('websocket', 'forwarded');
      this.metrics.openWebSockets.inc();
      socket.once('close', () => this.metrics.openWebSockets.dec());
    }
    this.forwarder.tunnel(
      req,
      socket,
      head,
      decision.url,
      decision.target,
      () => {
        this.access.forgetSession(decision.sessionId);
        if (mayRetry) void this.handleUpgrade(req, socket, head, false);
        else {
          this.metrics.count('websocket', 'unreachable');
          rejectUpgrade(socket, unreachableAnswer(decision.sessionId));
        }
      },
      (bytes) => bytes >= ACTIVE_WEBSOCKET_CHUNK_BYTES && this.activity.touch(decision.sessionId),
    );
  }

  onModuleDestroy(): void {
    this.forwarder.close();
  }

  private async decide(req: IncomingMessage, url: string, method: string): Promise<Decision> {
    const path = parseNotebookPath(url);
    if (!path || path.bare) return { answer: notFoundAnswer(), outcome: 'not_found' };
    if (isForeignOrigin(req.headers, this.config.publicUrl)) return { answer: crossSiteAnswer(), outcome: 'cross_site' };
    const access = await this.access.resolve(path.sessionId, req.headers);
    switch (access.kind) {
      case 'anonymous':
        return { answer: anonymousAnswer(path.sessionId, access.message), outcome: 'anonymous' };
      case 'not-found':
        return { answer: notFoundAnswer(), outcome: 'not_found' };
      case 'not-running':
        return { answer: notRunningAnswer(path.sessionId, access.session), outcome: 'not_running' };
      case 'allowed':
        if (!hasWriteToken(method, access.user, req.headers, parseCookies(req.headers.cookie), this.config.secret)) return { answer: crossSiteAnswer(), outcome: 'cross_site' };
        return { url, target: access.target, sessionId: path.sessionId };
    }
  }

  private failed(err: Error): Decision {
    // The database is down or similar: a clear 503, never a crash or a hung socket.
    this.logger.error(`Notebook proxy could not decide on a request: ${err.message}`);
    return {
      outcome: 'error',
      answer: { status: 503, title: 'Trialhub is having trouble', message: 'Trialhub could not check your access to this notebook just now. This page retries in a few seconds.', link: { href: '/', label: 'Back to your dashboard' }, refreshSeconds: 5 },
    };
  }
}
