import { describe, expect, it } from 'vitest';
import { emailInputs, passwordProblem } from './password-policy';

describe('password policy', () => {
  it('refuses common and breached-list passwords with zxcvbn’s reason, in plain words', async () => {
    await expect(passwordProblem('password')).resolves.toBe('This password is too easy to guess: this is a heavily used password. Add more words that are less common.');
    await expect(passwordProblem('password123')).resolves.toMatch(/^This password is too easy to guess: this is a commonly used password\./);
    await expect(passwordProblem('qwertyuiop')).resolves.toMatch(/too easy to guess/);
  });

  it('says what to do about missing, short and overlong passwords before asking the dictionaries', async () => {
    await expect(passwordProblem(undefined)).resolves.toBe('Choose a password.');
    await expect(passwordProblem(12345678)).resolves.toBe('Choose a password.');
    await expect(passwordProblem('abc')).resolves.toMatch(/^Use at least 8 characters/);
    await expect(passwordProblem('x'.repeat(257))).resolves.toMatch(/^Use at most 256 characters/);
  });

  it('accepts a few unrelated words, and refuses the account’s own email as its password', async () => {
    await expect(passwordProblem('walker-ladder-quietly-47')).resolves.toBeNull();
    await expect(passwordProblem('correct-horse-battery')).resolves.toBeNull();
    const email = 'grace.hopper@navy.example';
    await expect(passwordProblem(email, emailInputs(email))).resolves.toMatch(/too easy to guess/);
  });
});
