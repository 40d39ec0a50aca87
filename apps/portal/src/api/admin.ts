import type {
  AdminAdmitRequest, AdminAdmitResponse, AdminAuditEvent, AdminAuditQuery, AdminCapacity, AdminLiveSession, AdminProfileUpdate, AdminProfileUpdateResult,
  AdminProfileWithUsage, AdminQuotas, AdminQuotasUpdate, AdminUsageDay, AdminUserDetail, AdminUserQuota, AdminUserSummary, AdminWaitlistEntry,
  SessionView, UserRole,
} from '@trialhub/contracts';
import { apiRequest } from './client';

const id = encodeURIComponent;

/** `?a=1&b=x` from the defined, non-empty values (or ''). */
function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** The admin API (`/api/admin/*`, role admin), typed with libs/contracts. */
export const adminApi = {
  quotas: {
    get: () => apiRequest<AdminQuotas>('GET', '/api/admin/quotas'),
    update: (patch: AdminQuotasUpdate) => apiRequest<AdminQuotas>('PUT', '/api/admin/quotas', patch),
  },
  profiles: {
    list: () => apiRequest<AdminProfileWithUsage[]>('GET', '/api/admin/profiles'),
    update: (name: string, patch: AdminProfileUpdate) => apiRequest<AdminProfileUpdateResult>('PUT', `/api/admin/profiles/${id(name)}`, patch),
  },
  capacity: () => apiRequest<AdminCapacity>('GET', '/api/admin/capacity'),
  waitlist: {
    list: () => apiRequest<AdminWaitlistEntry[]>('GET', '/api/admin/waitlist'),
    admit: (request: AdminAdmitRequest) => apiRequest<AdminAdmitResponse>('POST', '/api/admin/waitlist/admit', request),
  },
  users: {
    search: (q: string, limit = 50) => apiRequest<AdminUserSummary[]>('GET', `/api/admin/users${query({ q: q.trim(), limit })}`),
    get: (userId: string) => apiRequest<AdminUserDetail>('GET', `/api/admin/users/${id(userId)}`),
    suspend: (userId: string, reason?: string) => apiRequest<AdminUserDetail>('POST', `/api/admin/users/${id(userId)}/suspend`, reason ? { reason } : {}),
    reinstate: (userId: string) => apiRequest<AdminUserDetail>('POST', `/api/admin/users/${id(userId)}/reinstate`, {}),
    setRole: (userId: string, role: UserRole) => apiRequest<AdminUserDetail>('PUT', `/api/admin/users/${id(userId)}/role`, { role }),
    setQuota: (userId: string, quota: Partial<AdminUserQuota>) => apiRequest<AdminUserDetail>('PUT', `/api/admin/users/${id(userId)}/quota`, quota),
    extendTrial: (userId: string, hours: number) => apiRequest<AdminUserDetail>('POST', `/api/admin/users/${id(userId)}/trial/extend`, { hours }),
    endTrial: (userId: string) => apiRequest<AdminUserDetail>('POST', `/api/admin/users/${id(userId)}/trial/end`, {}),
    grantTrial: (userId: string) => apiRequest<AdminUserDetail>('POST', `/api/admin/users/${id(userId)}/trials`, {}),
  },
  sessions: {
    list: () => apiRequest<AdminLiveSession[]>('GET', '/api/admin/sessions'),
    forceStop: (sessionId: string) => apiRequest<SessionView>('DELETE', `/api/admin/sessions/${id(sessionId)}`),
  },
  usage: {
    get: (days: number) => apiRequest<AdminUsageDay[]>('GET', `/api/admin/usage${query({ days })}`),
    /** The same table as CSV (a plain link: the browser downloads it with the session cookie). */
    csvUrl: (days: number) => `/api/admin/usage${query({ days, format: 'csv' })}`,
  },
  audit: (filter: AdminAuditQuery = {}) => apiRequest<AdminAuditEvent[]>('GET', `/api/admin/audit${query({ ...filter })}`),
};
