import type { SessionEventView, SessionView, TrialView } from '@trialhub/contracts';
import { messageOf } from '../api/client';
import { api } from '../api/endpoints';

export type StreamStatus = 'connecting' | 'live' | 'reconnecting' | 'polling';

/**
 * The one source of live session state in the portal: one event stream (SSE) per session,
 * shared by every view that shows it (dashboard row, session page), so they can never
 * disagree. A state change also refreshes the trial, which a session's end may have ended.
 */
interface Entry {
  session: SessionView | null;
  status: StreamStatus;
  listeners: Set<() => void>;
  close(): void;
}

const entries = new Map<string, Entry>();
const eventKey = (e: SessionEventView) => `${e.at}|${e.from}|${e.to}|${e.message}`;

function notify(entry: Entry): void {
  for (const l of entry.listeners) l();
}

/** Puts a state the server answered (after Stop, Resume, a list load) into the shared store. */
export function publishSession(session: SessionView): void {
  const entry = entries.get(session.id);
  if (!entry) return;
  if (entry.session && entry.session.state !== session.state) trialLive.reload();
  // A list answer has no events; keep those the stream brought.
  entry.session = session.events.length || !entry.session ? session : { ...session, events: entry.session.events };
  notify(entry);
}

function open(sessionId: string): Entry {
  const entry: Entry = { session: null, status: 'connecting', listeners: new Set(), close: () => undefined };
  const load = () => api.sessions.get(sessionId).then((s) => publishSession(s), () => undefined);
  if (typeof EventSource === 'undefined') {
    entry.status = 'polling';
    const timer = setInterval(load, 2000);
    entry.close = () => clearInterval(timer);
  } else {
    const source = new EventSource(api.sessions.eventsUrl(sessionId), { withCredentials: true });
    source.onopen = () => {
      entry.status = 'live';
      notify(entry);
    };
    source.onerror = () => {
      entry.status = 'reconnecting';
      notify(entry);
    };
    source.addEventListener('state', (m) => {
      entry.status = 'live';
      publishSession(JSON.parse((m as MessageEvent<string>).data) as SessionView);
    });
    source.addEventListener('event', (m) => {
      const event = JSON.parse((m as MessageEvent<string>).data) as SessionEventView;
      const s = entry.session;
      if (s && !s.events.some((e) => eventKey(e) === eventKey(event))) {
        entry.session = { ...s, events: [...s.events, event] };
        notify(entry);
      }
    });
    entry.close = () => source.close();
  }
  entries.set(sessionId, entry);
  void load();
  return entry;
}

/** Subscribes to a session's live state; the stream closes when its last viewer leaves. */
export function subscribeSession(sessionId: string, listener: () => void): () => void {
  const entry = entries.get(sessionId) ?? open(sessionId);
  entry.listeners.add(listener);
  return () => {
    entry.listeners.delete(listener);
    if (entry.listeners.size === 0) {
      entry.close();
      entries.delete(sessionId);
    }
  };
}

export function sessionSnapshot(sessionId: string): { session: SessionView | null; status: StreamStatus } {
  const entry = entries.get(sessionId);
  return entry ? { session: entry.session, status: entry.status } : { session: null, status: 'connecting' };
}

/** The viewer's trial, shared by every page; reloaded when a session changes state or the trial is ended. */
export const trialLive = (() => {
  let trial: TrialView | null = null;
  let error: string | null = null;
  const listeners = new Set<() => void>();
  let version = 0;
  const emit = () => {
    version++;
    for (const l of listeners) l();
  };
  let inFlight: Promise<void> | null = null;
  let generation = 0;
  const reload = (): Promise<void> => {
    const mine = generation;
    return (inFlight ??= api.trial
      .get()
      .then(
        (t) => {
          if (mine !== generation) return;
          trial = t;
          error = null;
        },
        (e: unknown) => {
          if (mine !== generation) return;
          error = messageOf(e);
        },
      )
      .finally(() => {
        if (mine !== generation) return;
        inFlight = null;
        emit();
      }));
  };
  return {
    reload,
    set(t: TrialView) {
      trial = t;
      emit();
    },
    get: () => ({ trial, error, version }),
    subscribe(l: () => void) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    /** For tests and log-out: forget the cached trial. */
    clear() {
      generation++;
      inFlight = null;
      trial = null;
      error = null;
    },
  };
})();
