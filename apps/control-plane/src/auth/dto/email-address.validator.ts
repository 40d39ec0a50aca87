import { isEmail, ValidateBy, ValidationArguments } from 'class-validator';

const MAX_EMAIL_LENGTH = 254;

function emailProblem(value: unknown): string | null {
  if (typeof value !== 'string' || value.trim() === '') return 'Enter your email address.';
  if (value.length > MAX_EMAIL_LENGTH) return `An email address has at most ${MAX_EMAIL_LENGTH} characters.`;
  if (!isEmail(value)) return 'This is not a whole email address: write it like ada@example.com.';
  return null;
}

/** An email address, with one plain message for whatever is wrong with it. */
export const IsEmailAddress = (): PropertyDecorator =>
  ValidateBy({
    name: 'isEmailAddress',
    validator: {
      validate: (value: unknown) => emailProblem(value) === null,
      defaultMessage: (args?: ValidationArguments) => emailProblem(args?.value) ?? 'Enter your email address.',
    },
  });
