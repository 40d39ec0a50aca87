import type { AdminQuotas, AdminQuotasUpdate } from '@trialhub/contracts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const MIB = 1024 ** 2;
const GIB = 1024 ** 3;

export type NumberQuotaKey = Exclude<keyof AdminQuotas, 'allowedEmailDomains' | 'blockedEmailDomains'>;
export type ListQuotaKey = 'allowedEmailDomains' | 'blockedEmailDomains';

export interface NumberQuotaField {
  key: NumberQuotaKey;
  label: string;
  unit: string;
  /** API value = form value × scale (ms, bytes). */
  scale: number;
  /** What the API's numbers in its messages mean: 'ms', 'bytes' or plain counts. */
  kind: 'count' | 'ms' | 'bytes';
  hint: string;
  /** Blank means unlimited (null). */
  nullable?: boolean;
  step: string;
}

export interface ListQuotaField {
  key: ListQuotaKey;
  label: string;
  hint: string;
}

/** Every quota the admin API accepts, in the form's order, with the unit it is edited in. */
export const NUMBER_QUOTAS: NumberQuotaField[] = [
  { key: 'sessionsPerUser', label: 'Sessions per user', unit: 'sessions', scale: 1, kind: 'count', step: '1', hint: 'Notebook sessions one user may run (or queue) at the same time.' },
  { key: 'trialDurationMs', label: 'Trial duration', unit: 'hours', scale: HOUR, kind: 'ms', step: 'any', hint: 'How long a trial lasts once it starts.' },
  { key: 'sessionMaxRuntimeMs', label: 'Session maximum runtime', unit: 'hours', scale: HOUR, kind: 'ms', step: 'any', hint: 'A session stops after running this long; the user can resume it. Running sessions keep theirs unless you apply it to them.' },
  { key: 'idleTimeoutMs', label: 'Idle timeout', unit: 'minutes', scale: MINUTE, kind: 'ms', step: 'any', hint: 'A session with no notebook traffic for this long stops. Running sessions keep theirs unless you apply it to them.' },
  { key: 'maxActiveTrials', label: 'Maximum active trials', unit: 'trials', scale: 1, kind: 'count', step: '1', nullable: true, hint: 'Leave empty for no limit. Beyond it, new sign-ups wait in the waitlist.' },
  { key: 'storagePerUserBytes', label: 'Storage per user', unit: 'GiB', scale: GIB, kind: 'bytes', step: 'any', hint: 'Saved results one user may keep.' },
  { key: 'maxUploadFileBytes', label: 'Largest file in a result', unit: 'MiB', scale: MIB, kind: 'bytes', step: 'any', hint: 'Bigger files are refused when a session saves its results.' },
  { key: 'resultRetentionMs', label: 'Result retention', unit: 'days', scale: DAY, kind: 'ms', step: 'any', hint: 'How long saved results and share links outlive their trial.' },
];

export const LIST_QUOTAS: ListQuotaField[] = [
  { key: 'allowedEmailDomains', label: 'Allowed email domains', hint: 'One per line, like example.com. When the list is not empty, only these domains may sign up.' },
  { key: 'blockedEmailDomains', label: 'Blocked email domains', hint: 'One per line. Sign-ups from these domains are refused.' },
];

export const QUOTA_LABELS: Record<keyof AdminQuotas, string> = Object.fromEntries([...NUMBER_QUOTAS, ...LIST_QUOTAS].map((f) => [f.key, f.label])) as Record<keyof AdminQuotas, string>;

/** The form's values: what the inputs show, as strings. */
export type QuotaFormValues = Record<keyof AdminQuotas, string>;

const trim = (n: number) => String(Number(n.toFixed(3)));

export function toFormValues(q: AdminQuotas): QuotaFormValues {
  const values = {} as QuotaFormValues;
  for (const f of NUMBER_QUOTAS) {
    const v = q[f.key];
    values[f.key] = v === null ? '' : trim(v / f.scale);
  }
  for (const f of LIST_QUOTAS) values[f.key] = q[f.key].join('\n');
  return values;
}

const parseList = (text: string) => text.split(/[\s,;]+/).map((d) => d.trim().toLowerCase()).filter(Boolean);

/**
 * The fields that changed, in API units, plus the errors the form can tell without asking the
 * server (blank or not a number). Range checks are the server's: its messages are shown per field.
 */
export function toUpdate(values: QuotaFormValues, current: AdminQuotas): { patch: AdminQuotasUpdate; errors: Partial<Record<keyof AdminQuotas, string>> } {
  const patch: AdminQuotasUpdate = {};
  const errors: Partial<Record<keyof AdminQuotas, string>> = {};
  for (const f of NUMBER_QUOTAS) {
    const raw = values[f.key].trim();
    let next: number | null;
    if (raw === '') {
      if (!f.nullable) {
        errors[f.key] = `Enter the ${f.label.toLowerCase()} in ${f.unit}.`;
        continue;
      }
      next = null;
    } else {
      const n = Number(raw);
      if (!Number.isFinite(n)) {
        errors[f.key] = `Enter a number of ${f.unit}.`;
        continue;
      }
      // Counts go as typed (the server says if 1.5 is not a whole number); ms and bytes are whole.
      next = f.scale === 1 ? n : Math.round(n * f.scale);
    }
    if (next !== current[f.key]) (patch as Record<string, unknown>)[f.key] = next;
  }
  for (const f of LIST_QUOTAS) {
    const next = parseList(values[f.key]);
    if (next.join('\n') !== current[f.key].join('\n')) patch[f.key] = next;
  }
  return { patch, errors };
}

/** 60000 ms → "1 minute", 7 × 86400000 → "7 days", 1073741824 bytes → "1 GiB". */
function amount(n: number, kind: NumberQuotaField['kind']): string {
  const unit = (v: number, one: string) => `${trim(v)} ${one}${v === 1 ? '' : 's'}`;
  if (kind === 'ms') {
    if (n >= DAY && n % DAY === 0) return unit(n / DAY, 'day');
    if (n >= HOUR && n % HOUR === 0) return unit(n / HOUR, 'hour');
    if (n >= MINUTE && n % MINUTE === 0) return unit(n / MINUTE, 'minute');
    return unit(n / 1000, 'second');
  }
  if (kind === 'bytes') {
    if (n >= GIB) return `${trim(n / GIB)} GiB`;
    if (n >= MIB) return `${trim(n / MIB)} MiB`;
    if (n >= 1024) return `${trim(n / 1024)} KiB`;
    return unit(n, 'byte');
  }
  return String(n);
}

/**
 * Files each of the server's validation messages ("trialDurationMs must not be less than 60000")
 * under its field, reworded with the form's label and units ("Trial duration must not be less
 * than 1 minute"). Messages about no known field are returned as `other`.
 */
export function fieldErrorsFrom(details: string[]): { fields: Partial<Record<keyof AdminQuotas, string>>; other: string[] } {
  const fields: Partial<Record<keyof AdminQuotas, string>> = {};
  const other: string[] = [];
  const keys = Object.keys(QUOTA_LABELS) as Array<keyof AdminQuotas>;
  for (const detail of details) {
    const key = keys.find((k) => new RegExp(`^${k}\\b`).test(detail));
    if (!key) {
      other.push(detail);
      continue;
    }
    const field = NUMBER_QUOTAS.find((f) => f.key === key);
    let text = detail.replace(new RegExp(`^${key}`), QUOTA_LABELS[key]);
    if (field && field.kind !== 'count') text = text.replace(/(less|greater) than (\d+)/, (_m, dir: string, n: string) => `${dir} than ${amount(Number(n), field.kind)}`);
    fields[key] = fields[key] ? `${fields[key]} ${text}.` : `${text}.`;
  }
  return { fields, other };
}
