import { ValidateBy, ValidationArguments } from 'class-validator';

/**
 * A string field a person must fill in, with one plain message for whatever is wrong with it
 * (IsString plus MaxLength would also say "at most N characters" of a field left empty).
 */
export const IsFilledIn = (missing: string, maxLength: number, tooLong: string): PropertyDecorator => {
  const problem = (value: unknown) => (typeof value !== 'string' || value.trim() === '' ? missing : value.length > maxLength ? tooLong : null);
  return ValidateBy({
    name: 'isFilledIn',
    validator: {
      validate: (value: unknown) => problem(value) === null,
      defaultMessage: (args?: ValidationArguments) => problem(args?.value) ?? missing,
    },
  });
};
