import type { AppConfig } from '../config/app-config';
import { EmbeddedPostgresServer } from './embedded-postgres';

/** The database a start connects to: DATABASE_URL, or the embedded PostgreSQL, on its way up. */
export interface DatabaseStart {
  embedded: EmbeddedPostgresServer | null;
  url: Promise<string>;
}

/**
 * Starts the embedded PostgreSQL unless DATABASE_URL is set. main.ts calls this before the
 * server's modules load, so PostgreSQL starts on another core while they do (loading is most
 * of a start).
 */
export function startDatabase(config: AppConfig): DatabaseStart {
  if (config.database.url) return { embedded: null, url: Promise.resolve(config.database.url) };
  const embedded = new EmbeddedPostgresServer(config.database.dataDir);
  const url = embedded.start();
  // Awaited by startServer; a failure is reported there, not as an unhandled rejection meanwhile.
  url.catch(() => undefined);
  return { embedded, url };
}
