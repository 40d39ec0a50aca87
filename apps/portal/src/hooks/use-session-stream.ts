import type { SessionEventView, SessionView } from '@trialhub/contracts';
import { useCallback, useEffect, useState } from 'react';
import { messageOf } from '../api/client';
import { api } from '../api/endpoints';

export type StreamStatus = 'connecting' | 'live' | 'reconnecting' | 'polling';

const eventKey = (e: SessionEventView) => `${e.at}|${e.from}|${e.to}|${e.message}`;

function withEvent(session: SessionView, event: SessionEventView): SessionView {
  if (session.events.some((e) => eventKey(e) === eventKey(event))) return session;
  return { ...session, events: [...session.events, event] };
}

/**
 * A session kept up to date from the server's event stream (`event` lines and `state`
 * snapshots); falls back to polling where EventSource is missing.
 */
export function useSessionStream(sessionId: string) {
  const [session, setSession] = useState<SessionView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<StreamStatus>('connecting');

  const reload = useCallback(async () => {
    try {
      setSession(await api.sessions.get(sessionId));
      setError(null);
    } catch (e) {
      setError(messageOf(e));
    }
  }, [sessionId]);

  useEffect(() => {
    setSession(null);
    setError(null);
    void reload();
    if (typeof EventSource === 'undefined') {
      setStatus('polling');
      const timer = setInterval(reload, 2000);
      return () => clearInterval(timer);
    }
    const source = new EventSource(api.sessions.eventsUrl(sessionId), { withCredentials: true });
    source.onopen = () => setStatus('live');
    source.onerror = () => setStatus('reconnecting');
    source.addEventListener('state', (m) => {
      setSession(JSON.parse((m as MessageEvent<string>).data) as SessionView);
      setStatus('live');
    });
    source.addEventListener('event', (m) => {
      const event = JSON.parse((m as MessageEvent<string>).data) as SessionEventView;
      setSession((s) => (s ? withEvent(s, event) : s));
    });
    return () => source.close();
  }, [sessionId, reload]);

  return { session, error, status, setSession, reload };
}
