import { Module } from '@nestjs/common';
import { ProfilesModule } from '../profiles/profiles.module';
import { ReconcilerSignal } from './reconciler-signal';
import { SessionEventsStream } from './session-events.stream';
import { SessionMetrics } from './session-metrics';
import { SessionReconciler } from './session-reconciler';
import { SessionTokens } from './session-tokens';
import { SessionViewCache } from './session-view-cache';
import { SessionsController } from './sessions.controller';
import { SessionsService } from './sessions.service';

@Module({
  imports: [ProfilesModule],
  controllers: [SessionsController],
  providers: [SessionsService, SessionReconciler, SessionTokens, ReconcilerSignal, SessionEventsStream, SessionMetrics, SessionViewCache],
  exports: [SessionsService, SessionTokens, SessionReconciler, ReconcilerSignal, SessionViewCache],
})
export class SessionsModule {}
