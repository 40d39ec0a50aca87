import { Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { AuthModule } from '../auth/auth.module';
import { SessionsModule } from '../sessions/sessions.module';
import { NotebookAccessService } from './notebook-access.service';
import { NotebookActivityService } from './notebook-activity.service';
import { NotebookProxy } from './notebook-proxy';
import { isNotebookUrl } from './notebook-path';
import { ProxyMetrics } from './proxy-metrics';

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * The notebook proxy (DESIGN.md "Notebook access"). `/notebook/…` requests and WebSocket
 * upgrades are taken off the HTTP server before Express sees them: a notebook page load is
 * dozens of requests and kernels poll, so they skip the API's middleware stack (request
 * logging, body parsers, static files, guards) — the proxy does its own authentication.
 * This doubled the proxy's throughput (test/bench/proxy.bench.ts).
 */
@Module({
  imports: [AuthModule, SessionsModule],
  providers: [NotebookAccessService, NotebookActivityService, NotebookProxy, ProxyMetrics],
})
export class ProxyModule implements OnApplicationBootstrap, OnApplicationShutdown {
  private server: Server | null = null;
  private apiListeners: RequestListener[] = [];

  private readonly onRequest = (req: IncomingMessage, res: ServerResponse) => {
    if (isNotebookUrl(req.url)) {
      void this.proxy.handleRequest(req, res);
      return;
    }
    for (const listener of this.apiListeners) listener.call(this.server, req, res);
  };

  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Other upgrade handlers (if any) own the other paths.
    if (isNotebookUrl(req.url)) void this.proxy.handleUpgrade(req, socket, head);
  };

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly proxy: NotebookProxy,
  ) {}

  onApplicationBootstrap(): void {
    const server = this.adapterHost.httpAdapter.getHttpServer() as Server;
    this.server = server;
    this.apiListeners = server.listeners('request') as RequestListener[];
    server.removeAllListeners('request');
    server.on('request', this.onRequest);
    server.on('upgrade', this.onUpgrade);
  }

  onApplicationShutdown(): void {
    const server = this.server;
    if (!server) return;
    server.off('upgrade', this.onUpgrade);
    server.off('request', this.onRequest);
    for (const listener of this.apiListeners) server.on('request', listener);
  }
}
