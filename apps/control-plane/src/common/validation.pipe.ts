import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';

function flatten(errors: ValidationError[], prefix = '', fields: Record<string, string[]> = {}): string[] {
  return errors.flatMap((e) => {
    const path = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((m) => (m.includes('should not exist') ? `Unknown field "${path}": remove it.` : m));
    if (own.length) fields[path] = own;
    return [...own, ...flatten(e.children ?? [], path, fields)];
  });
}

/** Sentences join with a space; validator fragments ("x must be …") with semicolons. */
const joined = (details: string[]) => details.join(details.every((d) => /[.!?]$/.test(d)) ? ' ' : '; ');

/** DTOs are validated at the edge: unknown fields are refused, every problem is listed, and `fields` maps each field to its problems (forms show them beside the field). */
export function apiValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => {
      const fields: Record<string, string[]> = {};
      const details = flatten(errors, '', fields);
      return new BadRequestException({ message: joined(details), details, fields });
    },
  });
}
