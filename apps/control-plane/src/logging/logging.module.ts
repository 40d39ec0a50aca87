import { Global, Module } from '@nestjs/common';
import { LifecycleLog } from './lifecycle-log.service';

/** Operators' view of what happens: lifecycle lines (the root logger, Nest's logger over it and the access line are set up in bootstrap.ts). */
@Global()
@Module({ providers: [LifecycleLog], exports: [LifecycleLog] })
export class LoggingModule {}
