import { registerDecorator, ValidationArguments } from 'class-validator';
import { emailInputs, passwordProblem } from '../password-policy';

/** The problem found for each (object, property), kept for defaultMessage (which class-validator calls after validate). */
const problems = new WeakMap<object, Map<string, string>>();

/**
 * A new password: long enough and hard to guess (password-policy.ts). One message per field,
 * so the person reads one thing to fix. `emailField` names the body field whose email the
 * password must not resemble.
 */
export function IsAcceptablePassword(emailField?: string): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isAcceptablePassword',
      target: target.constructor,
      propertyName: String(propertyName),
      async: true,
      validator: {
        async validate(value: unknown, args: ValidationArguments) {
          const inputs = emailField ? emailInputs((args.object as Record<string, unknown>)[emailField]) : [];
          const problem = await passwordProblem(value, inputs);
          if (!problem) return true;
          if (!problems.has(args.object)) problems.set(args.object, new Map());
          problems.get(args.object)!.set(args.property, problem);
          return false;
        },
        defaultMessage: (args?: ValidationArguments) => (args && problems.get(args.object)?.get(args.property)) ?? 'Choose a stronger password.',
      },
    });
}
