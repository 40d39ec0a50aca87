import { DynamicModule, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { randomUUID } from 'node:crypto';
import { LoggerModule } from 'nestjs-pino';
import { AdminModule } from './admin/admin.module';
import { ArtifactsModule } from './artifacts/artifacts.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { ApiExceptionFilter } from './common/api-exception.filter';
import { JsonContentTypeMiddleware } from './common/json-content-type.middleware';
import { accessRequest, accessResponse } from './logging/access-log';
import { LoggingModule } from './logging/logging.module';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { MailModule } from './mail/mail.module';
import { MetricsModule } from './metrics/metrics.module';
import { ProxyModule } from './proxy/proxy.module';
import { QuotasModule } from './quotas/quotas.module';
import { RepositoriesModule } from './repositories/repositories.module';
import { ResultsModule } from './results/results.module';
import { RuntimeModule } from './runtime/runtime.module';
import { SessionsModule } from './sessions/sessions.module';
import { SharingModule } from './sharing/sharing.module';
import { PredictModule } from './predict/predict.module';
import { PhotosModule } from './photos/photos.module';
import { TrialsModule } from './trials/trials.module';
import { UsersModule } from './users/users.module';

/** Paths whose bodies are not JSON (streamed uploads, the notebook proxy). */
export const RAW_BODY_PATHS = ['/api/uploads', '/notebook/'];

@Module({})
export class AppModule implements NestModule {
  static forRoot(config: AppConfig, databaseUrl: string): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.logLevel,
            genReqId: (req, res) => {
              const incoming = req.headers['x-request-id'];
              const id = typeof incoming === 'string' && /^[\w.-]{1,128}$/.test(incoming) ? incoming : randomUUID();
              res.setHeader('x-request-id', id);
              return id;
            },
            autoLogging: { ignore: (req) => ['/healthz', '/readyz', '/metrics'].includes(req.url ?? '') },
            // Logs written while handling a request carry its id; the whole request goes in the access line only (cheaper per request).
            quietReqLogger: true,
            redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
            // The access line: method, path, status, time, request id; no headers (they were most of the log, and carry credentials).
            serializers: { req: accessRequest, res: accessResponse },
            customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
          },
        }),
        LoggingModule,
        ScheduleModule.forRoot(),
        DatabaseModule.forRoot(databaseUrl),
        RepositoriesModule,
        MetricsModule,
        MailModule,
        AuditModule,
        QuotasModule,
        UsersModule,
        HealthModule,
        TrialsModule,
        AuthModule,
        RuntimeModule,
        SessionsModule,
        ProxyModule,
        AdminModule,
        ArtifactsModule,
        ResultsModule,
        SharingModule,
        PredictModule,
        PhotosModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: ApiExceptionFilter }],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(JsonContentTypeMiddleware).exclude({ path: 'api/uploads/*path', method: RequestMethod.ALL }, { path: 'api/results/:id/predict', method: RequestMethod.POST }, { path: 'api/sessions/:id/photos', method: RequestMethod.POST }).forRoutes({ path: 'api/*path', method: RequestMethod.ALL });
  }
}
