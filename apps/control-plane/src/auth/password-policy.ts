import type { ZxcvbnFactory } from '@zxcvbn-ts/core';

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 256;
/** zxcvbn's 0–4 score: 3 is "safely unguessable" against a throttled online attack and a slow hash offline. */
const MIN_SCORE = 3;

let checker: Promise<ZxcvbnFactory> | null = null;

/** The dictionaries (common and breached passwords, English words and names) are large: loaded once, on first use. */
function loadChecker(): Promise<ZxcvbnFactory> {
  checker ??= (async () => {
    const [{ ZxcvbnFactory }, common, en] = await Promise.all([import('@zxcvbn-ts/core'), import('@zxcvbn-ts/language-common'), import('@zxcvbn-ts/language-en')]);
    return new ZxcvbnFactory({ translations: en.translations, graphs: common.adjacencyGraphs, dictionary: { ...common.dictionary, ...en.dictionary } });
  })();
  return checker;
}

const sentence = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

/**
 * Why a password is refused, in words a person can act on, or null when it is fine. Refuses
 * short, overlong and guessable ones: common and breached-list passwords, words with a digit
 * appended, keyboard walks, and the account's own email (zxcvbn's "user inputs").
 */
export async function passwordProblem(password: unknown, userInputs: string[] = []): Promise<string | null> {
  if (typeof password !== 'string' || password === '') return 'Choose a password.';
  if (password.length < PASSWORD_MIN_LENGTH) return `Use at least ${PASSWORD_MIN_LENGTH} characters for your password; a few unrelated words are easy to remember and hard to guess.`;
  if (password.length > PASSWORD_MAX_LENGTH) return `Use at most ${PASSWORD_MAX_LENGTH} characters for your password.`;
  const result = (await loadChecker()).check(password, [...userInputs, 'trialhub']);
  if (result.score >= MIN_SCORE) return null;
  const why = result.feedback.warning ? `: ${sentence(result.feedback.warning)}` : '.';
  const what = result.feedback.suggestions.length ? result.feedback.suggestions.join(' ') : 'Add a word or two that are not common.';
  return `This password is too easy to guess${why} ${what}`;
}

/** The parts of an email address that make a password guessable for that account. */
export const emailInputs = (email: unknown): string[] => (typeof email === 'string' && email.includes('@') ? [email, ...email.toLowerCase().split('@')] : []);
