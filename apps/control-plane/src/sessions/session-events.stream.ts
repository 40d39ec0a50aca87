import { Injectable, MessageEvent } from '@nestjs/common';
import { Observable } from 'rxjs';
import type { AuthUser } from '../auth/auth-user';
import { SessionsService } from './sessions.service';
import { toEventView } from './session-view';

const POLL_MS = 500;

/**
 * Streams a session's events from PostgreSQL (so it works whichever replica made the change):
 * `event` messages carry one history line, `state` messages the session's current state.
 */
@Injectable()
export class SessionEventsStream {
  constructor(private readonly sessions: SessionsService) {}

  follow(auth: AuthUser, sessionId: string, afterId: string): Observable<MessageEvent> {
    return new Observable<MessageEvent>((subscriber) => {
      let last = afterId;
      let lastState = '';
      let stopped = false;
      let timer: NodeJS.Timeout | undefined;
      const poll = async () => {
        try {
          const { session, events } = await this.sessions.eventsAfter(auth, sessionId, last);
          for (const e of events) {
            subscriber.next({ id: e.id, type: 'event', data: toEventView(e) });
            last = e.id;
          }
          const state = `${session.state}|${session.reason ?? ''}`;
          if (state !== lastState) {
            lastState = state;
            subscriber.next({ type: 'state', data: await this.sessions.view(session) });
          }
        } catch (err) {
          subscriber.error(err);
          return;
        }
        if (!stopped) timer = setTimeout(poll, POLL_MS);
      };
      void poll();
      return () => {
        stopped = true;
        clearTimeout(timer);
      };
    });
  }
}
