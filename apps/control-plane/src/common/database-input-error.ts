import { BadRequestException } from '@nestjs/common';

/**
 * PostgreSQL's "data exception" class (SQLSTATE 22…: invalid text for a uuid or number, a
 * value out of range, a date past the calendar) means a value from the request could not be
 * stored or compared: the caller's mistake, not ours. DTOs should refuse such values first;
 * this is the net for any they miss, so such a request is a 400, never a 500.
 */
export function databaseInputError(exception: unknown): BadRequestException | null {
  const err = exception as { code?: unknown; driverError?: { code?: unknown; message?: unknown } } | null;
  const code = err?.driverError?.code ?? err?.code;
  if (typeof code !== 'string' || !/^22[0-9A-Z]{3}$/.test(code)) return null;
  const detail = String(err?.driverError?.message ?? (exception as Error).message ?? '').slice(0, 160);
  return new BadRequestException(`A value in the request is not one the field can hold (${detail}). Check the ids, numbers and dates you sent.`);
}
