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

export interface ApiError {
  statusCode: number;
  error: string;
  message: string;
  /** Per-field problems, when the request body failed validation. */
  details?: string[];
  requestId?: string;
}
