import { Injectable } from '@nestjs/common';

/** The proxy's clock for hand-off expiry; tests move it instead of sleeping for a minute. */
@Injectable()
export class NotebookClock {
  now(): Date {
    return new Date();
  }
}
