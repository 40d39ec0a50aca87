import { ArgumentMetadata, BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';
import { DECORATORS } from '@nestjs/swagger/dist/constants';

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

/**
 * `@IsOptional()` lets null through as well as a missing field, so a null would reach the service
 * (and a NOT NULL column). A field takes null only where its documentation says so
 * (`@ApiProperty({ nullable: true })`, e.g. "null = unlimited"); anywhere else it is refused.
 */
export function nullFieldProblems(value: unknown, metatype: unknown): string[] {
  if (typeof metatype !== 'function' || typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  return Object.entries(value)
    .filter(([key, v]) => v === null && !(Reflect.getMetadata(DECORATORS.API_MODEL_PROPERTIES, metatype.prototype, key) as { nullable?: boolean } | undefined)?.nullable)
    .map(([key]) => `${key} may not be null: leave it out, or send a value.`);
}

/** DTOs are validated at the edge: unknown fields are refused, nulls only where documented, every problem is listed, and `fields` maps each field to its problems (forms show them beside the field). */
class ApiValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const nulls = metadata.type === 'body' ? nullFieldProblems(value, metadata.metatype) : [];
    if (nulls.length) throw new BadRequestException({ message: joined(nulls), details: nulls, fields: Object.fromEntries(nulls.map((n) => [n.split(' ', 1)[0], [n]])) });
    return super.transform(value, metadata);
  }
}

export function apiValidationPipe(): ValidationPipe {
  return new ApiValidationPipe({
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
