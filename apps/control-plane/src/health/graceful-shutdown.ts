import { Injectable, Logger } from '@nestjs/common';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { AppConfig } from '../config/app-config';

/**
 * After the listeners have closed: the Nest hooks (the reconciler finishing its steps, the
 * scheduler, the database pool). The Deployment's terminationGracePeriodSeconds must cover
 * `shutdownBudgetMs` (deploy/kubernetes/manifests.spec.ts checks it).
 */
export const SHUTDOWN_CLOSE_MARGIN_MS = 5000;

/** The longest a shutdown takes before the process exits: drain, requests in flight, the hooks. */
export const shutdownBudgetMs = (config: AppConfig): number => config.shutdown.drainMs + config.shutdown.timeoutMs + SHUTDOWN_CLOSE_MARGIN_MS;

type Phase = 'serving' | 'draining' | 'closing' | 'closed';

const EVENT_STREAM = /^text\/event-stream\b/;

/** Headers given to writeHead as an object are not always readable back, so an EventSource's Accept counts too. */
const isEventStream = (req: IncomingMessage, res: ServerResponse) => EVENT_STREAM.test(String(res.getHeader('content-type') ?? '')) || EVENT_STREAM.test(req.headers.accept ?? '');

/**
 * A replica that is asked to stop (SIGTERM: a rolling update, a node drain) drops nothing:
 *
 * 1. `draining`: /readyz answers 503 at once (/healthz stays ok: this is not a failure), but every
 *    request is still served for SHUTDOWN_DRAIN, with `Connection: close`, because the load
 *    balancer (a Service's endpoints, an ingress) learns of it only after a moment and keeps
 *    sending new connections meanwhile. This is the preStop sleep, done by the app itself.
 * 2. `closing`: the listeners stop accepting, idle keep-alive connections are closed, answers in
 *    flight carry `Connection: close`, event streams end (EventSource reconnects, with its
 *    Last-Event-ID), long-lived connections are asked to go (the notebook proxy's WebSockets get
 *    a 1001 close, and Jupyter's client reconnects), and requests in flight get SHUTDOWN_TIMEOUT.
 * 3. Then the caller closes the Nest app (hooks: reconciler, scheduler, database pool). Sessions —
 *    pods, local notebook processes — are never stopped by a control plane's shutdown.
 *
 * A second signal (`hurry`) skips what is left of the waiting.
 */
@Injectable()
export class GracefulShutdown {
  private readonly logger = new Logger('Shutdown');
  private phase: Phase = 'serving';
  private readonly servers: Server[] = [];
  private readonly inFlight = new Map<ServerResponse, IncomingMessage>();
  private readonly goingAway: Array<() => void> = [];
  private running: Promise<void> | null = null;
  private hurried = false;
  private wakeUp: () => void = () => undefined;

  constructor(private readonly config: AppConfig) {}

  /** From the first signal on: /readyz says so. */
  get draining(): boolean {
    return this.phase !== 'serving';
  }

  /** Tracks a listener's requests (call once it listens; the main one and the upload one). */
  serve(server: Server): void {
    this.servers.push(server);
    // First among the request listeners, so a drain's Connection: close is set before any handler answers.
    server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
      if (this.phase !== 'serving') res.setHeader('Connection', 'close');
      this.inFlight.set(res, req);
      res.once('close', () => {
        this.inFlight.delete(res);
        // A keep-alive answer that finished after the listener closed leaves an idle socket: close it.
        if (this.phase === 'closing') setImmediate(() => server.closeIdleConnections());
      });
    });
  }

  /** Long-lived connections that are not requests (upgraded WebSockets): told to go when the listeners close. */
  onGoingAway(fn: () => void): void {
    this.goingAway.push(fn);
  }

  /** Drains and closes the listeners; resolves when they are closed (or the timeout cut what was left). Idempotent. */
  shutdown(): Promise<void> {
    this.running ??= this.run();
    return this.running;
  }

  /** A second signal: stop waiting (the drain, the requests in flight); what is open is cut. */
  hurry(): void {
    this.hurried = true;
    this.wakeUp();
  }

  private async run(): Promise<void> {
    const { drainMs, timeoutMs } = this.config.shutdown;
    this.phase = 'draining';
    if (drainMs > 0) {
      this.logger.log(`Shutting down: not ready, still serving for ${drainMs} ms while load balancers stop sending new connections`);
      await this.wait(drainMs);
    }
    this.phase = 'closing';
    const closed = Promise.all(this.servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    for (const server of this.servers) server.closeIdleConnections();
    for (const [res, req] of this.inFlight) {
      if (!res.headersSent) res.setHeader('Connection', 'close');
      // An event stream never ends by itself; its client reconnects (to a replica that is ready).
      else if (isEventStream(req, res)) res.end();
    }
    for (const fn of this.goingAway) fn();
    const inFlight = this.inFlight.size;
    if (inFlight) this.logger.log(`Listeners closed; ${inFlight} request(s) in flight get up to ${timeoutMs} ms`);
    const finished = await Promise.race([closed.then(() => true), this.wait(timeoutMs).then(() => false)]);
    if (!finished) {
      this.logger.warn(`${this.inFlight.size} request(s) still in flight after ${this.hurried ? 'a second signal' : `${timeoutMs} ms`}: closing their connections`);
      for (const server of this.servers) server.closeAllConnections();
    }
    this.phase = 'closed';
  }

  /** Resolves after `ms`, or at once when hurried. */
  private wait(ms: number): Promise<void> {
    if (this.hurried) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const previous = this.wakeUp;
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        previous();
        done();
      };
    });
  }
}
