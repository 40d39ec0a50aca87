import pino, { type DestinationStream, type Logger } from 'pino';
import { accessRequest, accessResponse } from './access-log';

/**
 * The process's one pino logger (JSON lines on stdout): Nest's logger (PinoNestLogger) and the
 * access line (accessLog) both write through it. `req` and `res` are serialized to the access
 * line's fields only, so no header ever reaches the log, whoever logs a request. `destination`:
 * stdout unless given (tests read the lines).
 */
export function rootLogger(level: string, destination?: DestinationStream): Logger {
  // pino keeps its own `err` serializer beside these.
  return pino({ level, serializers: { req: accessRequest, res: accessResponse } }, destination);
}
