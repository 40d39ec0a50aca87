import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';

function flatten(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((e) => {
    const path = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((m) => (m.includes('should not exist') ? `Unknown field "${path}": remove it.` : m));
    return [...own, ...flatten(e.children ?? [], path)];
  });
}

/** DTOs are validated at the edge: unknown fields are refused, every problem is listed. */
export function apiValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => {
      const details = flatten(errors);
      return new BadRequestException({ message: details.join('; '), details });
    },
  });
}
