import { ApiRequestError, messageOf } from '../api/client';

/** What a form shows after a refused submit: every problem in the banner, and each field's beside it. */
export interface FormProblems {
  /** The banner's sentence (one problem), or a lead-in for the list. */
  banner: string | null;
  /** Every problem, listed in the banner when there is more than one. */
  list: string[];
  /** The first problem of each field, by the field's name. */
  fields: Record<string, string>;
}

export const NO_PROBLEMS: FormProblems = { banner: null, list: [], fields: {} };

/** Problems by field name, in the order found: the banner names how many, each field shows its own. */
export function problemsOf(byField: Array<[string, string | null]>): FormProblems {
  const found = byField.filter((entry): entry is [string, string] => entry[1] !== null);
  if (!found.length) return NO_PROBLEMS;
  const list = found.map(([, problem]) => problem);
  return { banner: list.length === 1 ? list[0] : `Fix these ${list.length} things to continue:`, list, fields: Object.fromEntries(found) };
}

/** A refused request as form problems: the server's per-field map, else its sentence. */
export function problemsFromError(error: unknown): FormProblems {
  if (!(error instanceof ApiRequestError)) return { banner: messageOf(error), list: [], fields: {} };
  const entries = Object.entries(error.fields).map(([field, problems]) => [field, problems[0] ?? null] as [string, string | null]);
  const byField = problemsOf(entries);
  if (!byField.list.length) return { banner: error.message, list: error.details.length > 1 ? error.details : [], fields: {} };
  // Problems the server names without a field of this form still appear in the list.
  const list = error.details.length > byField.list.length ? error.details : byField.list;
  return { banner: list.length === 1 ? list[0] : `Fix these ${list.length} things to continue:`, list, fields: byField.fields };
}

export const emailProblem = (email: string): string | null => {
  if (!email.trim()) return 'Enter your email address.';
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim()) ? null : 'This is not a whole email address: write it like ada@example.com.';
};

/** The length rule only; whether a password is easy to guess is the server's call (it has the dictionaries). */
export const newPasswordProblem = (password: string): string | null => {
  if (!password) return 'Choose a password.';
  return password.length < 8 ? 'Use at least 8 characters for your password; a few unrelated words are easy to remember and hard to guess.' : null;
};

export const PASSWORD_HINT = 'At least 8 characters and hard to guess: a few unrelated words work well.';
