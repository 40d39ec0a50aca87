/** The global limits of the trial programme. Admins change them at run time (settings table); the config gives the defaults. */
export interface Quotas {
  sessionsPerUser: number;
  trialDurationMs: number;
  sessionMaxRuntimeMs: number;
  idleTimeoutMs: number;
  /** null = unlimited. */
  maxActiveTrials: number | null;
  storagePerUserBytes: number;
  maxUploadFileBytes: number;
  resultRetentionMs: number;
  /** When non-empty, only these email domains may sign up. */
  allowedEmailDomains: string[];
  blockedEmailDomains: string[];
}

export const QUOTA_KEYS: ReadonlyArray<keyof Quotas> = [
  'sessionsPerUser', 'trialDurationMs', 'sessionMaxRuntimeMs', 'idleTimeoutMs', 'maxActiveTrials', 'storagePerUserBytes',
  'maxUploadFileBytes', 'resultRetentionMs', 'allowedEmailDomains', 'blockedEmailDomains',
];
