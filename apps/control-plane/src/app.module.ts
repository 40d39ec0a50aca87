import { DynamicModule, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { AdminModule } from './admin/admin.module';
import { ArtifactsModule } from './artifacts/artifacts.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { ApiExceptionFilter } from './common/api-exception.filter';
import { JsonContentTypeMiddleware } from './common/json-content-type.middleware';
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
