import { createServer } from 'node:net';

/** Finds a free TCP port on loopback; never 5432, which belongs to a system PostgreSQL. */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    if (port !== 5432) return port;
  }
}
