import 'reflect-metadata';
import { loadConfig } from './config/app-config';
import { ConfigError } from './config/environment';
import { startDatabase } from './database/database-start';
import type { RunningServer } from './bootstrap';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  // Signal handlers go in before the start: /readyz answers before startServer returns (and the embedded
  // PostgreSQL starts before that), so a SIGTERM can come that early; without a handler Node would
  // exit without draining or stopping the database.
  let server: RunningServer | null = null;
  let pending: string | null = null;
  let signals = 0;
  const stop = async (signal: string) => {
    if (!server) {
      // A second signal while starting: exit at once; the first waits for the start to finish.
      if (pending) process.exit(1);
      pending = signal;
      return;
    }
    signals++;
    // A second signal hurries the drain (health/graceful-shutdown.ts); a third exits at once.
    if (signals === 2) {
      console.log(`Received ${signal} again, stopping without waiting`);
      return server.hurry();
    }
    if (signals > 2) process.exit(1);
    console.log(`Received ${signal}, shutting down`);
    try {
      await server.close();
      process.exit(0);
    } catch (err) {
      console.error('Trialhub could not shut down cleanly:', err);
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  // The embedded PostgreSQL starts first and comes up while the server's modules load.
  const database = startDatabase(config);
  await database.embedded?.launched;
  const { startServer } = await import('./bootstrap');
  server = await startServer(process.env, { config, database });
  if (pending) await stop(pending);
}

main().catch((err) => {
  if (err instanceof ConfigError) console.error(err.message);
  else console.error('Trialhub could not start:', err);
  process.exit(1);
});
