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

/** The caller's own account: a UserView, and whether this installation asks to verify email addresses. */
export interface AccountView extends UserView {
  /** False when EMAIL_VERIFICATION is off: then `verified: false` means "not asked for", not "pending". */
  verificationRequired: boolean;
}

export interface AuthResponse {
  user: AccountView;
  /** Bearer token for API clients; browsers use the httpOnly cookie set alongside. */
  token: string;
  /** Echo this in the `x-csrf-token` header on cookie-authenticated writes. */
  csrfToken: string;
}

/** `GET /api/auth/me`. */
export interface MeResponse {
  user: AccountView;
  /** The CSRF token for cookie-authenticated callers; null for bearer-token callers (they need none). */
  csrfToken: string | null;
}

/**
 * `POST /api/auth/signup` (202) when email verification is required: the same answer whether
 * or not the address already has an account (its owner gets a mail instead), so sign-up does not
 * tell anyone which addresses have accounts. Log in once the address is confirmed.
 */
export interface SignupPendingResponse {
  pending: true;
  message: string;
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
  /** Every problem, when the request body failed validation (`message` joins them). */
  details?: string[];
  /** The same problems by field (`email`, `password`, `items.0.name`), for forms to show beside each field. */
  fields?: Record<string, string[]>;
  requestId?: string;
}
