import type { LoggerService } from '@nestjs/common';
import type { Level, Logger } from 'pino';

/** Nest's own exception handlers call `error(message, stack)`: that stack belongs on `err`. */
const isStack = (value: unknown): value is string => typeof value === 'string' && /\n\s*at /.test(value);

/**
 * Nest's logger interface over one pino logger: every `new Logger(context)` line becomes one JSON
 * line with `context`. An object as the message puts its fields on the line beside `msg` (the
 * lifecycle lines do this); an Error goes on `err`. No per-request child loggers and no
 * AsyncLocalStorage: those were a third of a cached status read's cost (issue 17), so lines
 * written while handling a request name what they are about themselves (ids, requestId).
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly pino: Logger) {}

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    if (!this.pino.isLevelEnabled(level)) return;
    // Nest passes the context last; anything before it is interpolation arguments or a stack.
    const fields: Record<string, unknown> = {};
    let rest = params;
    if (params.length) {
      fields.context = params[params.length - 1];
      rest = params.slice(0, -1);
    }
    if (message instanceof Error) fields.err = message;
    else if (typeof message === 'object' && message !== null) Object.assign(fields, message);
    else if (level === 'error' && rest.length === 1 && isStack(rest[0])) {
      const err = new Error(String(message));
      err.stack = rest[0];
      fields.err = err;
      rest = [];
    }
    if (typeof message === 'object' && message !== null) this.pino[level](fields, ...(rest as []));
    else this.pino[level](fields, String(message), ...(rest as []));
  }
}
