import { Module } from '@nestjs/common';
import { ProfilesModule } from '../profiles/profiles.module';
import { GarbageCollector } from './garbage-collector';
import { ReconcilerSignal } from './reconciler-signal';
import { SessionAdmission } from './session-admission';
import { SessionDeadlines } from './session-deadlines';
import { SessionEventsStream } from './session-events.stream';
import { SessionLauncher } from './session-launcher';
import { SessionMetrics } from './session-metrics';
import { SessionObserver } from './session-observer';
import { SessionReconciler } from './session-reconciler';
import { SessionTeardown } from './session-teardown';
import { SessionTokens } from './session-tokens';
import { SessionViewCache } from './session-view-cache';
import { SessionsController } from './sessions.controller';
import { SessionsService } from './sessions.service';
import { TrialTeardown } from './trial-teardown';

/** The reconciler's units: admission, launch, observation, teardown, deadlines, trial teardown, garbage collection. */
const LIFECYCLE = [SessionAdmission, SessionLauncher, SessionObserver, SessionTeardown, SessionDeadlines, TrialTeardown, GarbageCollector];

@Module({
  imports: [ProfilesModule],
  controllers: [SessionsController],
  providers: [SessionsService, SessionReconciler, ...LIFECYCLE, SessionTokens, ReconcilerSignal, SessionEventsStream, SessionMetrics, SessionViewCache],
  exports: [SessionsService, SessionTokens, SessionReconciler, ReconcilerSignal, SessionViewCache],
})
export class SessionsModule {}
