import { Injectable, NestMiddleware } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { NotebookProxy } from './notebook-proxy';

/** Hands every `/notebook/…` request to the proxy; nothing after it (guards, controllers, body parsers) sees them. */
@Injectable()
export class NotebookProxyMiddleware implements NestMiddleware {
  constructor(private readonly proxy: NotebookProxy) {}

  use(req: IncomingMessage, res: ServerResponse): void {
    void this.proxy.handleRequest(req, res);
  }
}
