import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { timedBootPhase } from '../logging/boot-phases';
import { dataSourceOptions } from './data-source-options';
import { runMigrations } from './migrate';
import { guardPoolClientErrors } from './pool-client-errors';
import { SafeRequestRetry } from './safe-request-retry';

/** PostgreSQL through TypeORM; migrations run at start-up, never `synchronize`. */
@Module({})
export class DatabaseModule {
  static forRoot(databaseUrl: string): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => dataSourceOptions(databaseUrl),
          dataSourceFactory: async (options) => {
            const dataSource = await timedBootPhase('database-connect', () => new DataSource(options!).initialize());
            guardPoolClientErrors(dataSource);
            await timedBootPhase('migrations', () => runMigrations(dataSource));
            return dataSource;
          },
        }),
      ],
      // A database restart must not fail a request that is safe to repeat (the exception filter asks it).
      global: true,
      providers: [{ provide: SafeRequestRetry, useFactory: () => new SafeRequestRetry() }],
      exports: [SafeRequestRetry],
    };
  }
}
