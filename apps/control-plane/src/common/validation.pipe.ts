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

/** Path parameters remembered per DTO class once they passed (a polling client sends the same id again and again). */
export const PARAM_MEMO_MAX_ENTRIES = 10_000;

/** The memo's key for route parameters: only plain string values (what Express gives) qualify. */
function paramKey(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  let key = '';
  for (const [name, v] of Object.entries(value)) {
    if (typeof v !== 'string') return null;
    key += `${name}\u0000${v}\u0000`;
  }
  return key;
}

/** DTOs are validated at the edge: unknown fields are refused, nulls only where documented, every problem is listed, and `fields` maps each field to its problems (forms show them beside the field). */
class ApiValidationPipe extends ValidationPipe {
  /**
   * Validating a path parameter DTO is a pure function of its strings (no validator here reads
   * anything else), and class-transformer plus class-validator were a sixth of a cached session
   * read's cost: parameters that passed are remembered and answered with a fresh copy. Failures
   * are not remembered (they are rare, and their errors are built each time).
   */
  private readonly passedParams = new Map<unknown, Map<string, object>>();

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'param' && typeof metadata.metatype === 'function' && this.toValidate(metadata)) return this.transformParams(value, metadata);
    const nulls = metadata.type === 'body' ? nullFieldProblems(value, metadata.metatype) : [];
    if (nulls.length) throw new BadRequestException({ message: joined(nulls), details: nulls, fields: Object.fromEntries(nulls.map((n) => [n.split(' ', 1)[0], [n]])) });
    return super.transform(value, metadata);
  }

  private async transformParams(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const key = paramKey(value);
    let passed = this.passedParams.get(metadata.metatype);
    const hit = key === null ? undefined : passed?.get(key);
    if (hit) return Object.assign(Object.create(Object.getPrototypeOf(hit) as object) as object, hit);
    const result = await super.transform(value, metadata);
    if (key !== null && typeof result === 'object' && result !== null) {
      if (!passed) this.passedParams.set(metadata.metatype, (passed = new Map()));
      if (passed.size >= PARAM_MEMO_MAX_ENTRIES) passed.clear();
      passed.set(key, result);
      return Object.assign(Object.create(Object.getPrototypeOf(result) as object) as object, result);
    }
    return result;
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
