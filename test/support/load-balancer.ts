import { get } from 'node:http';
import { createServer, Server, Socket, connect } from 'node:net';
import type { AddressInfo } from 'node:net';

interface Backend {
  url: string;
  port: number;
  ready: boolean;
  /** Probes failed in a row (out of rotation at FAILURE_THRESHOLD, as a readinessProbe's failureThreshold). */
  failures: number;
  timer: NodeJS.Timeout | undefined;
  removed: boolean;
}

const FAILURE_THRESHOLD = 3;

/**
 * A Kubernetes Service in front of control plane replicas, as kube-proxy makes one: each new TCP
 * connection goes to the next ready backend, round robin, and stays there (keep-alive requests,
 * WebSocket upgrades). A backend is in rotation only while its `/readyz` answers 200, polled every
 * `pollMs` like an endpoint's readiness (out after three failures in a row, back after one success,
 * 3 s timeout as the Deployment's) — so, as in a cluster, a replica that stops being ready
 * keeps getting new connections for a moment. No retries: a refused or reset connection reaches
 * the client, as it would through a Service.
 */
export class LoadBalancer {
  private readonly backends: Backend[] = [];
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private next = 0;
  /** Connections that found no ready backend (closed at once). */
  refused = 0;
  /** What happened, with times: backends in and out of rotation, refusals (for a failing test's message). */
  readonly events: string[] = [];
  port = 0;

  constructor(private readonly pollMs = 150) {
    // Half-open like TCP itself: each side's end is passed on, nothing is cut early.
    this.server = createServer({ allowHalfOpen: true }, (client) => this.route(client));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
    return this.url;
  }

  /** A new endpoint (not in rotation until its first ready answer). */
  add(url: string): void {
    const backend: Backend = { url, port: Number(new URL(url).port), ready: false, failures: 0, timer: undefined, removed: false };
    this.backends.push(backend);
    void this.probe(backend);
  }

  /** The endpoint is gone (its pod was deleted). */
  remove(url: string): void {
    const i = this.backends.findIndex((b) => b.url === url);
    if (i < 0) return;
    this.backends[i].removed = true;
    clearTimeout(this.backends[i].timer);
    this.backends.splice(i, 1);
  }

  isReady(url: string): boolean {
    return this.backends.some((b) => b.url === url && b.ready);
  }

  async stop(): Promise<void> {
    for (const b of this.backends.splice(0)) {
      b.removed = true;
      clearTimeout(b.timer);
    }
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  /** One probe at a time per backend, each on a connection of its own (as the kubelet's), the next `pollMs` after. */
  private async probe(backend: Backend): Promise<void> {
    try {
      const status = await readyz(backend.port);
      if (status !== 200) throw new Error(`readyz ${status}`);
      backend.failures = 0;
      this.mark(backend, true, 'ready');
    } catch (err) {
      // A loaded machine may miss one probe; a replica that is shutting down fails them all.
      if (++backend.failures >= FAILURE_THRESHOLD) this.mark(backend, false, (err as Error).message);
    }
    if (!backend.removed) backend.timer = setTimeout(() => void this.probe(backend), this.pollMs);
  }

  private mark(backend: Backend, ready: boolean, why: string): void {
    if (backend.ready !== ready) this.events.push(`${new Date().toISOString()} ${backend.url} ${ready ? 'in' : 'out'}: ${why}`);
    backend.ready = ready;
  }

  private route(client: Socket): void {
    const ready = this.backends.filter((b) => b.ready);
    if (!ready.length) {
      if (!this.refused) this.events.push(`${new Date().toISOString()} refused a connection: no backend ready`);
      this.refused++;
      client.destroy();
      return;
    }
    const backend = ready[this.next++ % ready.length];
    const upstream = connect({ port: backend.port, host: '127.0.0.1', allowHalfOpen: true });
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    }
    // A reset on one side is a reset on the other, as through kube-proxy's NAT.
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    // A side closed without an end of its own (destroyed): the other gets its end after what was sent.
    client.on('close', () => upstream.end());
    upstream.on('close', () => client.end());
    client.pipe(upstream);
    upstream.pipe(client);
  }
}

function readyz(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path: '/readyz', agent: false, timeout: 3000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error('probe timed out after 3 s')));
    req.on('error', reject);
  });
}
