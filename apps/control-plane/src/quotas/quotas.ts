import type { AdminQuotas } from '@trialhub/contracts';

/** The global limits of the trial programme, as the admin API shows them. Admins change them at run time (settings table); the config gives the defaults. */
export type Quotas = AdminQuotas;

export const QUOTA_KEYS: ReadonlyArray<keyof Quotas> = [
  'sessionsPerUser', 'trialDurationMs', 'sessionMaxRuntimeMs', 'idleTimeoutMs', 'maxActiveTrials', 'storagePerUserBytes',
  'maxUploadFileBytes', 'resultRetentionMs', 'allowedEmailDomains', 'blockedEmailDomains',
];
