import { Agent, ClientRequest, IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, request as httpRequest, ServerResponse } from 'node:http';
import { connect, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { NotebookTarget } from './notebook-access.service';
import { withoutFraming } from './frame-ancestors';
import { cookiesForJupyter } from './request-credentials';
import { TokenScrubber } from './token-scrubber';
import { WebSocketGoingAway } from './websocket-going-away';

/** Headers that describe one connection, not the message: never forwarded (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'proxy-connection']);
/** Replaced by the proxy: the user's Trialhub credentials stay here, and the origin was checked already. */
const REPLACED = new Set(['authorization', 'cookie', 'origin', 'host']);

/** Jupyter's own log-in cookie (`username-<host>-<port>`): meaningless behind the proxy, so the browser never gets it. */
const JUPYTER_LOGIN_COOKIE = /^username-[^=]*=/i;

function requestHeaders(headers: IncomingHttpHeaders, target: NotebookTarget, clientAddress: string | undefined): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || REPLACED.has(name)) continue;
    out[name] = value;
  }
  // Jupyter builds its URLs from the Host it sees; keeping the browser's makes them right.
  if (headers.host) out.host = headers.host;
  out.authorization = `token ${target.jupyterToken}`;
  const cookie = cookiesForJupyter(headers.cookie);
  if (cookie) out.cookie = cookie;
  // Pages are scrubbed of the token on their way out, which needs them uncompressed (Jupyter compresses nothing by default anyway).
  delete out['accept-encoding'];
  if (clientAddress) out['x-forwarded-for'] = headers['x-forwarded-for'] ? `${headers['x-forwarded-for']}, ${clientAddress}` : clientAddress;
  return out;
}

/** An HTML page Jupyter rendered (uncompressed: the proxy asks for no encoding, see requestHeaders). */
const isRenderedPage = (answer: IncomingMessage) => /^text\/html\b/.test(answer.headers['content-type'] ?? '') && !answer.headers['content-encoding'];

function responseHeaders(upstream: IncomingMessage): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(upstream.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    if (name === 'content-security-policy') continue;
    if (name === 'set-cookie') {
      const kept = (value as string[]).filter((c) => !JUPYTER_LOGIN_COOKIE.test(c));
      if (kept.length) out[name] = kept;
      continue;
    }
    out[name] = value;
  }
  out['content-security-policy'] = withoutFraming(upstream.headers['content-security-policy']);
  return out;
}

/**
 * Moves bytes between the browser and one notebook server: HTTP requests streamed both ways
 * (a 50 MB upload is never held in memory) and WebSocket upgrades spliced at the TCP level.
 * It knows nothing of users or sessions; `NotebookProxy` decides who gets here.
 */
export class NotebookForwarder {
  /** Kept-alive connections to the notebook servers: a page load is dozens of requests. */
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 32 });
  /** Open tunnels: the browser's socket, Jupyter's, and the server-to-browser frames (for a clean close). */
  private readonly tunnels = new Map<Duplex, { upstream: Socket; frames: WebSocketGoingAway; leaving: boolean }>();

  /** Forwards one HTTP request. `onUnreachable` answers when the server cannot be reached before any response byte was sent. */
  forward(req: IncomingMessage, res: ServerResponse, url: string, target: NotebookTarget, onUnreachable: () => void): void {
    const upstream: ClientRequest = httpRequest({
      host: target.host,
      port: target.port,
      method: req.method,
      path: url,
      headers: requestHeaders(req.headers, target, req.socket.remoteAddress),
      agent: this.agent,
    });
    upstream.on('response', (answer) => {
      const headers = responseHeaders(answer);
      answer.on('error', () => res.destroy());
      if (isRenderedPage(answer)) {
        // Jupyter's pages carry its token; they are small, the scrubber streams anyway.
        delete headers['content-length'];
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, headers);
        answer.pipe(new TokenScrubber(target.jupyterToken)).pipe(res);
        return;
      }
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, headers);
      answer.pipe(res);
    });
    upstream.on('error', () => {
      if (res.headersSent) res.destroy();
      else onUnreachable();
    });
    // A browser that goes away mid-transfer takes the upstream request with it.
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    // A retried body-less request has ended already; piping it again would never end the new one.
    if (req.readableEnded) upstream.end();
    else req.pipe(upstream);
  }

  /** Splices a WebSocket upgrade (kernel channels, terminals) through to the notebook server. */
  tunnel(req: IncomingMessage, socket: Duplex, head: Buffer, url: string, target: NotebookTarget, onUnreachable: () => void, onClientData: (bytes: number) => void): void {
    const upstream: Socket = connect(target.port, target.host);
    const tunnel = { upstream, frames: new WebSocketGoingAway(), leaving: false };
    const { frames } = tunnel;
    let connected = false;
    const close = () => {
      socket.destroy();
      upstream.destroy();
    };
    upstream.on('connect', () => {
      connected = true;
      const headers = requestHeaders(req.headers, target, req.socket.remoteAddress);
      // The upgrade headers are hop-by-hop for ordinary requests, but this is the one hop they are for.
      headers.connection = 'Upgrade';
      headers.upgrade = req.headers.upgrade ?? 'websocket';
      let head_ = `${req.method} ${url} HTTP/1.1\r\n`;
      for (const [name, value] of Object.entries(headers)) {
        for (const v of Array.isArray(value) ? value : [value]) head_ += `${name}: ${v}\r\n`;
      }
      upstream.write(head_ + '\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(frames).pipe(socket);
      socket.pipe(upstream);
      // Counted only once piped: a 'data' listener before that would let early bytes flow past.
      socket.on('data', (chunk: Buffer) => onClientData(chunk.length));
    });
    upstream.on('error', () => (connected ? close() : onUnreachable()));
    socket.on('error', close);
    upstream.on('close', () => connected && !tunnel.leaving && socket.destroy());
    socket.on('close', () => {
      upstream.destroy();
      this.tunnels.delete(socket);
    });
    this.tunnels.set(socket, tunnel);
  }

  /**
   * A restart: every open WebSocket gets a close frame (1001, going away) between two of Jupyter's
   * frames, so the browser's Jupyter client reconnects (through another replica) to the same
   * kernel, which keeps running. Jupyter's side is simply disconnected, as when a tab closes.
   */
  goAway(): void {
    for (const [socket, tunnel] of this.tunnels) {
      const { upstream, frames } = tunnel;
      if (tunnel.leaving) continue;
      tunnel.leaving = true;
      socket.unpipe(upstream);
      // What the browser still sends (its answering close frame) goes nowhere.
      socket.resume();
      if (!frames.goAway()) {
        socket.destroy();
        continue;
      }
      // The close frame is out once the frames stream ends (perhaps after the rest of a frame in flight).
      frames.once('end', () => upstream.destroy());
      // A browser that never answers the close (or a frame that never ends) is cut after a moment.
      setTimeout(() => socket.destroy(), 2000).unref();
    }
  }

  /** Closes open WebSockets and pooled connections (the HTTP server cannot close while they are open). */
  close(): void {
    for (const socket of this.tunnels.keys()) socket.destroy();
    this.tunnels.clear();
    this.agent.destroy();
  }
}
