import type { UserRole } from '@trialhub/contracts';

/** The caller of a request, as the auth strategy found it. */
export interface AuthUser {
  id: string;
  email: string;
  role: UserRole;
  verified: boolean;
  /** The auth token row behind this request (for log-out). */
  tokenId: string;
  tokenHash: string;
  /** Cookie-authenticated writes need a CSRF token; bearer ones do not. */
  via: 'cookie' | 'bearer';
}
