import { Logger, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { AuthModule } from '../auth/auth.module';
import { AuthTokenCache } from '../auth/auth-token-cache';
import { AppConfig } from '../config/app-config';
import { sharesParentDomain } from '../config/notebook-domain';
import { GracefulShutdown } from '../health/graceful-shutdown';
import { HealthModule } from '../health/health.module';
import { ReconcilerSignal } from '../sessions/reconciler-signal';
import { SessionViewCache } from '../sessions/session-view-cache';
import { SessionsModule } from '../sessions/sessions.module';
import { NotebookAccessService } from './notebook-access.service';
import { NotebookActivityService } from './notebook-activity.service';
import { NotebookClock } from './notebook-clock';
import { NotebookCredentials } from './notebook-credentials.service';
import { NotebookHandoffController } from './notebook-handoff.controller';
import { NotebookHandoffService } from './notebook-handoff.service';
import { rejectUpgrade, notFoundAnswer } from './notebook-pages';
import { NotebookOrigins } from './notebook-origins';
import { NotebookProxy } from './notebook-proxy';
import { isNotebookUrl } from './notebook-path';
import { ProxyMetrics } from './proxy-metrics';

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * The notebook proxy (docs/architecture.md "Notebook origins"). Requests are routed by Host
 * before Express sees them: anything for a notebook origin (`<session>.<NOTEBOOK_DOMAIN>`) goes
 * to the proxy and never to the API, and the portal's old `/notebook/…` path only hands off. A
 * notebook page load is dozens of requests and kernels poll, so they skip the API's middleware
 * stack (request logging, body parsers, static files, guards) — the proxy does its own
 * authentication. This doubled the proxy's throughput (test/bench/proxy.bench.ts).
 */
@Module({
  imports: [AuthModule, SessionsModule, HealthModule],
  controllers: [NotebookHandoffController],
  providers: [NotebookAccessService, NotebookActivityService, NotebookProxy, ProxyMetrics, NotebookOrigins, NotebookClock, NotebookCredentials, NotebookHandoffService],
})
export class ProxyModule implements OnApplicationBootstrap, OnApplicationShutdown {
  private server: Server | null = null;
  private apiListeners: RequestListener[] = [];

  private readonly onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const route = this.origins.route(req.headers.host);
    if (route.kind === 'notebook') {
      void this.proxy.handleNotebookRequest(req, res, route);
      return;
    }
    if (route.kind === 'unknown-notebook-host') return this.proxy.handleUnknownHost(req, res);
    if (isNotebookUrl(req.url)) {
      void this.proxy.handlePortalPath(req, res);
      return;
    }
    for (const listener of this.apiListeners) listener.call(this.server, req, res);
  };

  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const route = this.origins.route(req.headers.host);
    if (route.kind === 'notebook') void this.proxy.handleUpgrade(req, socket, head, route);
    // The portal serves no notebook WebSockets; other upgrade handlers (if any) own the portal's other paths.
    else if (route.kind === 'unknown-notebook-host' || isNotebookUrl(req.url)) rejectUpgrade(socket, notFoundAnswer());
  };

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly proxy: NotebookProxy,
    private readonly origins: NotebookOrigins,
    private readonly config: AppConfig,
    access: NotebookAccessService,
    credentials: NotebookCredentials,
    tokenCache: AuthTokenCache,
    signal: ReconcilerSignal,
    viewCache: SessionViewCache,
    shutdown: GracefulShutdown,
  ) {
    shutdown.onGoingAway(() => proxy.goAway());
    // Invalidation: this replica's log-outs, suspensions, password changes, stops and resumes at once;
    // other replicas' session changes as the database announces them (milliseconds), their log-outs within the caches' 1-2 s.
    tokenCache.onForget((what) => {
      credentials.forget(what);
      access.forgetUsers(what);
    });
    signal.onChange(() => access.forgetSessions());
    viewCache.onNotification((payload) => (payload.startsWith('s:') ? access.forgetSession(payload.slice(2)) : access.forgetSessions()));
  }

  onApplicationBootstrap(): void {
    const server = this.adapterHost.httpAdapter.getHttpServer() as Server;
    this.server = server;
    this.apiListeners = server.listeners('request') as RequestListener[];
    server.removeAllListeners('request');
    server.on('request', this.onRequest);
    server.on('upgrade', this.onUpgrade);
    if (sharesParentDomain(this.config.publicUrl, this.config.notebookDomain)) {
      new Logger('NotebookOrigins').warn(
        `NOTEBOOK_DOMAIN (${this.config.notebookDomain}) shares a parent domain with PUBLIC_URL (${this.config.publicUrl}): notebook pages are then the same site as the portal and can plant cookies it receives. A registrable domain of their own is recommended (deploy/README.md).`,
      );
    }
  }

  onApplicationShutdown(): void {
    const server = this.server;
    if (!server) return;
    server.off('upgrade', this.onUpgrade);
    server.off('request', this.onRequest);
    for (const listener of this.apiListeners) server.on('request', listener);
  }
}
