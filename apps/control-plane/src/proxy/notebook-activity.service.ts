import { Injectable, Logger } from '@nestjs/common';
import { SessionsRepository } from '../repositories/sessions.repository';

/** At most one write per session in this period: the idle timeout is measured in minutes, page loads in milliseconds. */
export const ACTIVITY_WRITE_INTERVAL_MS = 30_000;

/** Marks a session active (sessions.last_activity_at, read by the idle timeout) when traffic passes the proxy. */
@Injectable()
export class NotebookActivityService {
  private readonly logger = new Logger('NotebookActivity');
  private readonly lastWritten = new Map<string, number>();

  constructor(private readonly sessions: SessionsRepository) {}

  touch(sessionId: string): void {
    const now = Date.now();
    const last = this.lastWritten.get(sessionId);
    if (last !== undefined && now - last < ACTIVITY_WRITE_INTERVAL_MS) return;
    this.lastWritten.set(sessionId, now);
    if (this.lastWritten.size > 50_000) this.forgetOlderThan(now - ACTIVITY_WRITE_INTERVAL_MS);
    this.sessions
      .touchActivity(sessionId)
      .catch((err: Error) => {
        // Not worth failing a notebook request over; the next request within the period retries.
        this.lastWritten.delete(sessionId);
        this.logger.warn(`Could not record activity of session ${sessionId}: ${err.message}`);
      });
  }

  private forgetOlderThan(cutoff: number): void {
    for (const [id, at] of this.lastWritten) if (at < cutoff) this.lastWritten.delete(id);
  }
}
