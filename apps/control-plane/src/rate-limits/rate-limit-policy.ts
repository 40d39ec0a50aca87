import { sha256 } from '../common/crypto';

export type RateLimitedAction = 'signup' | 'login' | 'password-reset-request' | 'password-reset-confirm' | 'verification-resend' | 'prediction' | 'photo-upload';

/**
 * Each attempt is counted under up to three keys, all within AUTH_RATE_LIMIT's window (N hits):
 *
 * 1. address + email, at N: the limit a person meets (ten wrong passwords a minute).
 * 2. address alone, at `perAddress` × N: one address trying many accounts (password spraying,
 *    sign-up floods).
 * 3. email alone, at `perEmail` × N: many addresses aiming at one account (distributed guessing,
 *    mail bombing an inbox with sign-up or reset mails).
 *
 * Keys 2 and 3 are only counted while key 1 is within its limit. Without that, one attacker
 * hammering a victim's email from their own address would fill key 3 with refused requests and
 * lock the victim out of log-in from the victim's own address. With it, each attacker address adds
 * at most N hits to key 3, so locking a victim out takes `perEmail` addresses that are not
 * the victim's, and one address cannot exceed N guesses at one account per window.
 */
export const RATE_LIMIT_POLICY: Record<RateLimitedAction, { what: string; perAddress: number; perEmail: number }> = {
  login: { what: 'log-in attempts', perAddress: 5, perEmail: 10 },
  // Creating accounts is rare: N sign-ups per address; N sign-up mails to one inbox.
  signup: { what: 'sign-ups', perAddress: 1, perEmail: 1 },
  'password-reset-request': { what: 'password reset requests', perAddress: 1, perEmail: 2 },
  // No email in the body (a token): counted per address; each attempt hashes a password.
  'password-reset-confirm': { what: 'password reset attempts', perAddress: 1, perEmail: 0 },
  'verification-resend': { what: 'verification mails', perAddress: 1, perEmail: 1 },
  // Try-it on result and share pages: photos per address (each one is a model run).
  prediction: { what: 'photos to classify', perAddress: 6, perEmail: 0 },
  // Your own photos: each upload unpacks and decodes up to a few hundred MiB; N per account and address.
  'photo-upload': { what: 'photo uploads', perAddress: 2, perEmail: 1 },
};

export interface RateLimitKeys {
  first: { key: string; limit: number };
  then: Array<{ key: string; limit: number }>;
}

/** The keys one attempt counts under; identities are hashed (the table holds no addresses). */
export function rateLimitKeys(action: RateLimitedAction, address: string, email: string, limit: number): RateLimitKeys {
  const policy = RATE_LIMIT_POLICY[action];
  const key = (scope: string, identity: string) => `${action}:${scope}:${sha256(identity)}`;
  if (!email) return { first: { key: key('address', address), limit: limit * policy.perAddress }, then: [] };
  const then = [{ key: key('address', address), limit: limit * policy.perAddress }];
  if (policy.perEmail > 0) then.push({ key: key('email', email), limit: limit * policy.perEmail });
  return { first: { key: key('address+email', `${address}|${email}`), limit }, then };
}

/** "Wait 42 seconds" / "Wait 5 minutes". */
export function waitSentence(seconds: number): string {
  if (seconds < 120) return `Wait ${seconds} second${seconds === 1 ? '' : 's'} and try again.`;
  return `Wait ${Math.ceil(seconds / 60)} minutes and try again.`;
}
