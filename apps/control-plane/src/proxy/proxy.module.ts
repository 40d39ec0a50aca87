import { MiddlewareConsumer, Module, NestModule, OnApplicationBootstrap, OnApplicationShutdown, RequestMethod } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { SessionsModule } from '../sessions/sessions.module';
import { AuthModule } from '../auth/auth.module';
import { NotebookAccessService } from './notebook-access.service';
import { NotebookActivityService } from './notebook-activity.service';
import { NotebookProxy } from './notebook-proxy';
import { NotebookProxyMiddleware } from './notebook-proxy.middleware';
import { isNotebookUrl } from './notebook-path';

/** The notebook proxy (DESIGN.md "Notebook access"): HTTP through a middleware, WebSockets through the server's `upgrade` event. */
@Module({
  imports: [AuthModule, SessionsModule],
  providers: [NotebookAccessService, NotebookActivityService, NotebookProxy, NotebookProxyMiddleware],
})
export class ProxyModule implements NestModule, OnApplicationBootstrap, OnApplicationShutdown {
  private server: Server | null = null;
  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Other upgrade handlers (if any) own the other paths.
    if (isNotebookUrl(req.url)) void this.proxy.handleUpgrade(req, socket, head);
  };

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly proxy: NotebookProxy,
  ) {}

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(NotebookProxyMiddleware).forRoutes({ path: 'notebook/*path', method: RequestMethod.ALL });
  }

  onApplicationBootstrap(): void {
    this.server = this.adapterHost.httpAdapter.getHttpServer() as Server;
    this.server.on('upgrade', this.onUpgrade);
  }

  onApplicationShutdown(): void {
    this.server?.off('upgrade', this.onUpgrade);
  }
}
