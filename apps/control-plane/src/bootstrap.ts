import { INestApplication, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import cookieParser from 'cookie-parser';
import type { Server } from 'node:http';
import { accessLog } from './logging/access-log';
import { BootPhases } from './logging/boot-phases';
import { PinoNestLogger } from './logging/pino-nest-logger';
import { rootLogger } from './logging/root-logger';
import { startupQuiet } from './logging/startup-quiet-logger';
import { AppModule, RAW_BODY_PATHS } from './app.module';
import { jsonBody } from './common/json-body';
import { securityHeaders } from './common/security-headers';
import { AppConfig, loadConfig } from './config/app-config';
import { DatabaseStart, startDatabase } from './database/database-start';
import { SafeRequestRetry } from './database/safe-request-retry';
import { GracefulShutdown } from './health/graceful-shutdown';
import { servePortal } from './portal/serve-portal';
import { UploadListener } from './artifacts/upload-listener';
import { BootstrapAdmin } from './users/bootstrap-admin';

export interface RunningServer {
  app: INestApplication;
  config: AppConfig;
  /** http://127.0.0.1:<port> */
  url: string;
  /** http://127.0.0.1:<upload port>: the session upload API's own listener. */
  uploadUrl: string;
  databaseUrl: string;
  /** Drains (health/graceful-shutdown.ts), then closes everything; sessions keep running. */
  close(): Promise<void>;
  /** A second signal during `close`: stop waiting for the drain and requests in flight. */
  hurry(): void;
}

/**
 * Builds and starts the control plane from environment variables (also used by the e2e tests,
 * in-process). `early`: the configuration and database main.ts began with before loading this.
 */
export async function startServer(env: NodeJS.ProcessEnv = process.env, early?: { config: AppConfig; database: DatabaseStart }): Promise<RunningServer> {
  const boot = new BootPhases();
  const config = early?.config ?? loadConfig(env);
  const { embedded, url: databaseReady } = early?.database ?? startDatabase(config);
  boot.end('config');
  const databaseUrl = await databaseReady;
  if (embedded) boot.end('embedded-postgres');
  let app: NestExpressApplication;
  try {
    app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, databaseUrl), { bufferLogs: true, bodyParser: false, abortOnError: false });
  } catch (err) {
    await embedded?.stop();
    throw err;
  }
  boot.end('nest-init');
  const logger = rootLogger(config.logLevel);
  app.useLogger(startupQuiet(new PinoNestLogger(logger)));
  boot.flush();
  app.set('trust proxy', config.trustProxy);
  app.disable('x-powered-by');
  app.use(accessLog(logger));
  app.use(securityHeaders(config.publicUrl));
  const uploads = UploadListener.attach(app);
  app.use(cookieParser());
  app.use(jsonBody({ skipPaths: RAW_BODY_PATHS }));
  const { apiValidationPipe } = await import('./common/validation.pipe');
  app.useGlobalPipes(apiValidationPipe());
  boot.end('middleware');
  // The OpenAPI document is built on the first request for it, not at every start.
  const document = () =>
    SwaggerModule.createDocument(
      app,
      new DocumentBuilder().setTitle('Trialhub API').setDescription('Hosted 24-hour GPU notebook trials').setVersion('1').addBearerAuth().addCookieAuth('trialhub_session').build(),
    );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs/openapi.json' });
  servePortal(app);
  app.get(SafeRequestRetry).dispatchTo(app.getHttpAdapter().getInstance());
  boot.end('routes');
  // The bootstrap admin (argon2, in its thread pool) is made ready beside the init hooks and the
  // listening server; sign-up and log-in wait for it (users/bootstrap-admin.ts).
  const adminReady = app.get(BootstrapAdmin).start();
  adminReady.catch(() => undefined);
  await app.init();
  boot.end('init-hooks');
  await app.listen(config.port, env.HOST ?? '0.0.0.0');
  boot.end('listen');
  try {
    await adminReady;
  } catch (err) {
    await app.close();
    await embedded?.stop();
    throw err;
  }
  boot.end('bootstrap-admin');
  const address = (app.getHttpServer() as Server).address() as { port: number };
  config.bindUploadPort(await uploads.listen(config.uploadPort, env.HOST ?? '0.0.0.0'));
  const shutdown = app.get(GracefulShutdown);
  for (const listener of [app.getHttpServer() as Server, uploads.httpServer!]) shutdown.serve(listener);
  // PORT=0: URLs derived from the port name the one actually bound from now on.
  config.bindPort(address.port);
  const url = `http://127.0.0.1:${address.port}`;
  boot.done();
  new Logger('Trialhub').log(`Trialhub is listening on ${url}, session uploads on port ${config.uploadPort} (runtime: ${config.runtime.kind}, database: ${embedded ? 'embedded PostgreSQL' : 'DATABASE_URL'})`);
  let closed = false;
  return {
    app,
    config,
    url,
    uploadUrl: `http://127.0.0.1:${config.uploadPort}`,
    databaseUrl,
    close: async () => {
      if (closed) return;
      closed = true;
      await shutdown.shutdown();
      await uploads.close();
      await app.close();
      await embedded?.stop();
    },
    hurry: () => shutdown.hurry(),
  };
}
