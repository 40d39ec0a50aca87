import { Global, Module } from '@nestjs/common';
import { LifecycleLog } from './lifecycle-log.service';

/** Operators' view of what happens: lifecycle lines (the access log and levels are set in app.module.ts). */
@Global()
@Module({ providers: [LifecycleLog], exports: [LifecycleLog] })
export class LoggingModule {}
