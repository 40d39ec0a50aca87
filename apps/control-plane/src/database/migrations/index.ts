import { InitialSchema1764201600000 } from './1764201600000-initial-schema';
import { SessionLimits1795737600000 } from './1795737600000-session-limits';
import { SessionChangeNotifications1795741200000 } from './1795741200000-session-change-notifications';
import { NotebookCredentials1795800000000 } from './1795800000000-notebook-credentials';
import { RateLimitCounters1795810000000 } from './1795810000000-rate-limit-counters';
import { ProfileRuntimeClass1795820000000 } from './1795820000000-profile-runtime-class';
import { SessionWaitingState1795840000000 } from './1795840000000-session-waiting-state';

/** Every migration, oldest first. Never edit one that has shipped: add a new one. */
export const MIGRATIONS: Function[] = [InitialSchema1764201600000, SessionLimits1795737600000, SessionChangeNotifications1795741200000,
  NotebookCredentials1795800000000, RateLimitCounters1795810000000, ProfileRuntimeClass1795820000000,
  SessionWaitingState1795840000000,
];
