import type { SessionView } from '@trialhub/contracts';
import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import { messageOf } from '../api/client';
import { api } from '../api/endpoints';
import { publishSession, sessionSnapshot, subscribeSession } from '../live/session-live';

export type { StreamStatus } from '../live/session-live';

/**
 * A session kept up to date from the server's event stream (`event` lines and `state`
 * snapshots), shared with every other view of it; falls back to polling where EventSource is missing.
 */
export function useSessionStream(sessionId: string) {
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => subscribeSession(sessionId, rerender), [sessionId]);
  const reload = useCallback(async () => {
    try {
      publishSession(await api.sessions.get(sessionId));
      setError(null);
    } catch (e) {
      setError(messageOf(e));
    }
  }, [sessionId]);
  useEffect(() => {
    setError(null);
    void reload();
  }, [reload]);
  const { session, status } = sessionSnapshot(sessionId);
  const setSession = useCallback((s: SessionView) => publishSession(s), []);
  return { session: session?.id === sessionId ? session : null, error, status, setSession, reload };
}

/**
 * The live state of several sessions (the dashboard's list): each row follows its own stream
 * while it is in flight, so a row says "Ready" as soon as the session page does.
 */
export function useLiveSessions(sessions: SessionView[] | undefined, live: (s: SessionView) => boolean): SessionView[] | undefined {
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  // What the streams said last, kept after a row stops being followed (it ended): until the list itself reloads.
  const seen = useRef<{ list: SessionView[] | undefined; byId: Map<string, SessionView> }>({ list: undefined, byId: new Map() });
  if (seen.current.list !== sessions) seen.current = { list: sessions, byId: new Map() };
  const followed = (sessions ?? []).filter(live).map((s) => s.id).sort().join(',');
  useEffect(() => {
    if (!followed) return;
    const offs = followed.split(',').map((id) => subscribeSession(id, rerender));
    return () => offs.forEach((off) => off());
  }, [followed]);
  return sessions?.map((s) => {
    const streamed = sessionSnapshot(s.id).session;
    if (streamed) seen.current.byId.set(s.id, streamed);
    return seen.current.byId.get(s.id) ?? s;
  });
}
