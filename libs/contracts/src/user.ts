export const USER_ROLES = ['user', 'admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export interface UserView {
  id: string;
  email: string;
  role: UserRole;
  verified: boolean;
  suspended: boolean;
  createdAt: string;
}

export interface AuthResponse {
  user: UserView;
  /** Bearer token for API clients; browsers use the httpOnly cookie set alongside. */
  token: string;
  /** Echo this in the `x-csrf-token` header on cookie-authenticated writes. */
  csrfToken: string;
}

/** `GET /api/auth/me`. */
export interface MeResponse {
  user: UserView;
  /** The CSRF token for cookie-authenticated callers; null for bearer-token callers (they need none). */
  csrfToken: string | null;
}

/** `POST /api/auth/verify`. */
export interface EmailVerifiedResponse {
  verified: true;
}

/** `POST /api/auth/verify/resend` (202). */
export interface VerificationSentResponse {
  sent: true;
}

/** `POST /api/auth/password-reset` with `{ email }` (202, whether or not the account exists). */
export interface PasswordResetRequestedResponse {
  sent: true;
  message: string;
}

/** `POST /api/auth/password-reset` with `{ token, password }` (202). */
export interface PasswordResetDoneResponse {
  reset: true;
}

/** `PUT /api/auth/password`. */
export interface PasswordChangedResponse {
  changed: true;
}

export interface ApiError {
  statusCode: number;
  error: string;
  message: string;
  /** Per-field problems, when the request body failed validation. */
  details?: string[];
  requestId?: string;
}
