import { IncomingMessage, request } from 'node:http';
import type { ApiClient } from './http';

/** An answer of the notebook client, shaped like ApiClient's. */
export interface NotebookAnswer {
  status: number;
  headers: IncomingMessage['headers'];
  text: string;
  body: any;
  setCookies: string[];
}

/**
 * A browser-like client of one session's notebook origin `http://<id>.localhost:<port>`. Node
 * does not resolve `*.localhost`, so it connects to 127.0.0.1 and names the origin in Host
 * (what a browser sends). It keeps the origin's cookies, and sends writes the way Jupyter's web
 * UI does: Origin = this notebook origin, `X-XSRFToken` = the `_xsrf` cookie.
 */
export class NotebookClient {
  readonly cookies = new Map<string, string>();
  readonly host: string;
  readonly origin: string;
  private readonly port: number;

  constructor(
    serverUrl: string,
    readonly sessionId: string,
  ) {
    this.port = Number(new URL(serverUrl).port);
    this.host = `${sessionId}.localhost:${this.port}`;
    this.origin = `http://${this.host}`;
  }

  /** The owner's way in: the portal's old path answers with a hand-off to this origin, which sets its cookie. Returns the hand-off URL. */
  async open(portal: ApiClient, { path = 'tree', loadPage = true } = {}): Promise<string> {
    const handoff = await portal.get(`/notebook/${this.sessionId}/${path}`);
    if (handoff.status !== 302) throw new Error(`hand-off for ${this.sessionId}: ${handoff.status} ${handoff.text}`);
    const location = handoff.headers.get('location')!;
    const redeemed = await this.follow(location);
    if (redeemed.status !== 302) throw new Error(`redeeming the hand-off: ${redeemed.status} ${redeemed.text}`);
    // Jupyter's page sets the _xsrf cookie its UI echoes on writes.
    if (loadPage) await this.get(`/notebook/${this.sessionId}/tree`, { accept: 'text/html' });
    return location;
  }

  /** GET of an absolute URL on this origin (a hand-off link), keeping the cookies it sets. */
  follow(url: string, headers: Record<string, string> = {}): Promise<NotebookAnswer> {
    const u = new URL(url);
    if (u.host !== this.host) throw new Error(`${url} is not on ${this.origin}`);
    return this.request('GET', u.pathname + u.search, undefined, headers);
  }

  get = (path: string, headers?: Record<string, string>) => this.request('GET', path, undefined, headers);
  put = (path: string, body: unknown, headers?: Record<string, string>) => this.request('PUT', path, body, headers);
  post = (path: string, body: unknown, headers?: Record<string, string>) => this.request('POST', path, body, headers);
  delete = (path: string, headers?: Record<string, string>) => this.request('DELETE', path, undefined, headers);

  get cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  /** Headers for a WebSocket to this origin, as a page of it would send them. */
  wsHeaders(extra: Record<string, string> = {}): Record<string, string> {
    return { host: this.host, origin: this.origin, ...(this.cookies.size ? { cookie: this.cookieHeader } : {}), ...extra };
  }

  wsUrl(path: string): string {
    return `ws://127.0.0.1:${this.port}${path}`;
  }

  /** One request; `headers` override the defaults (pass `cookie: ''`, `origin: ''` to leave them out). */
  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<NotebookAnswer> {
    const res = await this.raw(method, path, body, headers);
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let parsed: any = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON */
    }
    return { status: res.statusCode ?? 0, headers: res.headers, text, body: parsed, setCookies: res.headers['set-cookie'] ?? [] };
  }

  /** The response as a stream (large downloads). */
  raw(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<IncomingMessage> {
    const h: Record<string, string> = { host: this.host };
    if (this.cookies.size) h.cookie = this.cookieHeader;
    const payload = body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    if (payload) {
      h['content-type'] = 'application/json';
      h['content-length'] = String(payload.length);
    }
    if (!['GET', 'HEAD'].includes(method)) {
      h.origin = this.origin;
      const xsrf = this.cookies.get('_xsrf');
      if (xsrf) h['x-xsrftoken'] = xsrf;
    }
    for (const [k, v] of Object.entries(headers)) {
      if (v === '') delete h[k.toLowerCase()];
      else h[k.toLowerCase()] = v;
    }
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: this.port, method, path, headers: h }, (res) => {
        for (const c of res.headers['set-cookie'] ?? []) {
          const [pair, ...attrs] = c.split(';');
          const eq = pair.indexOf('=');
          const [k, value] = [pair.slice(0, eq).trim(), pair.slice(eq + 1).trim()];
          if (attrs.some((a) => /expires=Thu, 01 Jan 1970/i.test(a) || /max-age=0\b/i.test(a.trim())) || value === '') this.cookies.delete(k);
          else this.cookies.set(k, value);
        }
        resolve(res);
      });
      req.on('error', reject);
      req.end(payload);
    });
  }
}
