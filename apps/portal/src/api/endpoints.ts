import type {
  AuthResponse,
  CreatedShareLink,
  EmailVerifiedResponse,
  MeResponse,
  PasswordChangedResponse,
  PasswordResetDoneResponse,
  PasswordResetRequestedResponse,
  ProfileView,
  ResultView,
  SessionView,
  ShareLinkView,
  SignupPendingResponse,
  TrialView,
  VerificationSentResponse,
} from '@trialhub/contracts';
import { adminApi } from './admin';
import { apiRequest } from './client';

const id = encodeURIComponent;

/** Every control-plane call the portal makes, typed with libs/contracts (test/e2e/openapi-client.e2e.ts checks them against the OpenAPI document). */
export const api = {
  auth: {
    me: () => apiRequest<MeResponse>('GET', '/api/auth/me'),
    signup: (email: string, password: string) => apiRequest<AuthResponse | SignupPendingResponse>('POST', '/api/auth/signup', { email, password }),
    login: (email: string, password: string) => apiRequest<AuthResponse>('POST', '/api/auth/login', { email, password }),
    logout: () => apiRequest<void>('POST', '/api/auth/logout'),
    logoutEverywhere: () => apiRequest<void>('POST', '/api/auth/logout-everywhere'),
    verify: (token: string) => apiRequest<EmailVerifiedResponse>('POST', '/api/auth/verify', { token }),
    resendVerification: () => apiRequest<VerificationSentResponse>('POST', '/api/auth/verify/resend'),
    requestPasswordReset: (email: string) => apiRequest<PasswordResetRequestedResponse>('POST', '/api/auth/password-reset', { email }),
    resetPassword: (token: string, password: string) => apiRequest<PasswordResetDoneResponse>('POST', '/api/auth/password-reset', { token, password }),
    changePassword: (currentPassword: string, newPassword: string) => apiRequest<PasswordChangedResponse>('PUT', '/api/auth/password', { currentPassword, newPassword }),
  },
  trial: {
    get: () => apiRequest<TrialView>('GET', '/api/trial'),
    end: () => apiRequest<TrialView>('DELETE', '/api/trial'),
  },
  profiles: {
    list: () => apiRequest<ProfileView[]>('GET', '/api/profiles'),
  },
  sessions: {
    list: () => apiRequest<SessionView[]>('GET', '/api/sessions'),
    get: (sessionId: string) => apiRequest<SessionView>('GET', `/api/sessions/${id(sessionId)}`),
    launch: (profile?: string) => apiRequest<SessionView>('POST', '/api/sessions', profile ? { profile } : {}),
    stop: (sessionId: string) => apiRequest<SessionView>('DELETE', `/api/sessions/${id(sessionId)}`),
    resume: (sessionId: string) => apiRequest<SessionView>('POST', `/api/sessions/${id(sessionId)}/resume`),
    eventsUrl: (sessionId: string) => `/api/sessions/${id(sessionId)}/events`,
  },
  results: {
    list: () => apiRequest<ResultView[]>('GET', '/api/results'),
    get: (resultId: string) => apiRequest<ResultView>('GET', `/api/results/${id(resultId)}`),
    rename: (resultId: string, title: string) => apiRequest<ResultView>('PATCH', `/api/results/${id(resultId)}`, { title }),
    remove: (resultId: string) => apiRequest<void>('DELETE', `/api/results/${id(resultId)}`),
    fileUrl: (resultId: string, path: string) => `/api/results/${id(resultId)}/files/${path.split('/').map(id).join('/')}`,
    downloadUrl: (resultId: string) => `/api/results/${id(resultId)}/download`,
    file: <T>(resultId: string, path: string) => apiRequest<T>('GET', `/api/results/${id(resultId)}/files/${path.split('/').map(id).join('/')}`),
  },
  shares: {
    list: (resultId: string) => apiRequest<ShareLinkView[]>('GET', `/api/results/${id(resultId)}/shares`),
    create: (resultId: string, expiresInDays?: number) =>
      apiRequest<CreatedShareLink>('POST', `/api/results/${id(resultId)}/shares`, expiresInDays === undefined ? {} : { expiresInDays }),
    revoke: (resultId: string, shareId: string) => apiRequest<void>('DELETE', `/api/results/${id(resultId)}/shares/${id(shareId)}`),
  },
  admin: adminApi,
};
