import { CanActivate, ExecutionContext, Injectable, NotFoundException } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { createServer, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiExceptionFilter } from '../common/api-exception.filter';

/**
 * The session upload API has a listener (UPLOAD_PORT) of its own, so that session pods can be
 * admitted to that port and nothing else (deploy/kubernetes/base/sessions/network-policy.yaml).
 * Both listeners hand requests to the same Express app; requests are told apart by the socket
 * they came in on, never by anything the client sends. The upload listener answers only
 * /api/uploads/…, and the main listener never answers it.
 */
const viaUploadListener = new WeakSet<IncomingMessage>();

export const cameViaUploadListener = (req: IncomingMessage): boolean => viaUploadListener.has(req);

const UPLOAD_PATH = /^\/api\/uploads(\/|$)/i;
const ONLY_UPLOADS = 'This port serves only the session upload API (/api/uploads/<run>/<file>); the rest of the API is on the main port.';
export const UPLOADS_ELSEWHERE = 'Session uploads have their own port (UPLOAD_PORT; sessions get it as their upload URL), not this one.';

export class UploadListener {
  private server: Server | null = null;

  private constructor(private readonly app: NestExpressApplication) {}

  /** Registers the split on the app; call before any other middleware so refusals come first. */
  static attach(app: NestExpressApplication): UploadListener {
    const errors = new ApiExceptionFilter();
    app.use((req: Request, res: Response, next: NextFunction) => {
      const isUpload = UPLOAD_PATH.test(req.path);
      const viaUpload = cameViaUploadListener(req);
      if (isUpload === viaUpload) return next();
      const body = errors.toBody(new NotFoundException(viaUpload ? ONLY_UPLOADS : UPLOADS_ELSEWHERE));
      // The body (perhaps a large upload) is not read: close so the client sees the answer at once.
      res.setHeader('Connection', 'close');
      res.status(404).json(body);
    });
    return new UploadListener(app);
  }

  /** The listener, once listening (the shutdown drains it like the main one). */
  get httpServer(): Server | null {
    return this.server;
  }

  /** Starts listening (port 0: a free one) and returns the port bound. */
  async listen(port: number, host: string): Promise<number> {
    const express = this.app.getHttpAdapter().getInstance() as (req: IncomingMessage, res: unknown) => void;
    const server = createServer((req, res) => {
      viaUploadListener.add(req);
      express(req, res);
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      const refuse = (err: Error) => reject(new Error(`The session upload listener cannot listen on ${host}:${port} (${err.message}); set UPLOAD_PORT to a free port.`));
      server.once('error', refuse);
      server.listen(port, host, () => {
        server.off('error', refuse);
        resolve();
      });
    });
    return (server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
      // An upload in flight when the server stops gets a few seconds, then is cut (the client retries).
      setTimeout(() => server.closeAllConnections(), 5000).unref();
    });
  }
}

/** On the upload controller: its routes run only for requests that came in on the upload listener, however the path is spelled. */
@Injectable()
export class UploadListenerGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (!cameViaUploadListener(context.switchToHttp().getRequest<IncomingMessage>())) throw new NotFoundException(UPLOADS_ELSEWHERE);
    return true;
  }
}
