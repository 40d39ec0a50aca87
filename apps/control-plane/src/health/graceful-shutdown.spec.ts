import { Agent, createServer, get, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppConfig } from '../config/app-config';
import { GracefulShutdown } from './graceful-shutdown';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A real HTTP server whose requests the shutdown tracks, as bootstrap wires the main and upload listeners. */
async function listening(shutdown: GracefulShutdown, handler: Handler): Promise<{ server: Server; port: number }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  shutdown.serve(server);
  return { server, port: (server.address() as AddressInfo).port };
}

function request(port: number, path: string, agent: Agent, headers: Record<string, string> = {}): Promise<{ status: number; connection: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, agent, headers }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body }));
    }).on('error', reject);
  });
}

const configWith = (drainMs: number, timeoutMs: number) => ({ shutdown: { drainMs, timeoutMs } }) as AppConfig;

describe('GracefulShutdown', () => {
  const servers: Server[] = [];
  afterEach(() => {
    for (const s of servers.splice(0)) s.closeAllConnections(), s.close();
  });

  it('is not ready from the first moment, serves through the drain with Connection: close, then refuses new connections and lets requests in flight finish', async () => {
    const shutdown = new GracefulShutdown(configWith(300, 5000));
    const { server, port } = await listening(shutdown, (req, res) => {
      if (req.url === '/slow') setTimeout(() => res.end('slow done'), 600);
      else res.end('ok');
    });
    servers.push(server);
    const agent = new Agent({ keepAlive: true });
    expect((await request(port, '/', agent)).connection).toBe('keep-alive');

    const slow = request(port, '/slow', agent);
    await sleep(20);
    const done = shutdown.shutdown();
    expect(shutdown.draining).toBe(true);
    // The drain: still answered, but told not to keep the connection.
    const during = await request(port, '/', agent);
    expect(during).toMatchObject({ status: 200, connection: 'close', body: 'ok' });
    await sleep(400);
    // Past the drain: the listener no longer accepts, the request in flight still finishes.
    await expect(request(port, '/', new Agent())).rejects.toThrow(/ECONNREFUSED/);
    expect(await slow).toMatchObject({ status: 200, body: 'slow done' });
    await done;
    expect(server.listening).toBe(false);
  });

  it('ends event streams (an EventSource\'s, and any answered as one) and tells long-lived connections to go when the listeners close', async () => {
    const shutdown = new GracefulShutdown(configWith(0, 5000));
    const { server, port } = await listening(shutdown, (req, res) => {
      // The first as Nest's SSE stream answers; the second with the header set beforehand (as helmet and the request id make it in the app).
      if (!req.headers.accept) res.setHeader('X-Request-Id', '1');
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.write('data: hello\n\n');
    });
    servers.push(server);
    let toldToGo = 0;
    shutdown.onGoingAway(() => toldToGo++);
    const streams = [request(port, '/events', new Agent(), { accept: 'text/event-stream' }), request(port, '/events', new Agent())];
    await sleep(50);
    await shutdown.shutdown();
    for (const stream of streams) expect((await stream).body).toBe('data: hello\n\n');
    expect(toldToGo).toBe(1);
  });

  it('cuts what is still in flight after the timeout, and a second signal skips the waiting', async () => {
    const shutdown = new GracefulShutdown(configWith(60_000, 60_000));
    const { server, port } = await listening(shutdown, () => undefined /* never answers */);
    servers.push(server);
    const hung = request(port, '/', new Agent());
    await sleep(50);
    const done = shutdown.shutdown();
    await sleep(50);
    shutdown.hurry();
    await done;
    await expect(hung).rejects.toThrow(/socket hang up|ECONNRESET/);
  });
});
