import type { ServerResponse } from 'node:http';
import { expired } from './status';
import type { Change, ObjectStore } from './store';
import type { Predicate } from './selectors';

export interface WatchRequest {
  resource: string;
  kind: string;
  namespace?: string;
  matches: Predicate;
  resourceVersion?: string;
  timeoutSeconds?: number;
  allowBookmarks: boolean;
}

type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** What a change looks like to a watch with a selector: objects entering it are ADDED, leaving it DELETED. */
function translate(change: Change, matches: Predicate): { type: EventType; object: any } | undefined {
  const now = change.type !== 'DELETED' && matches(change.object);
  const before = change.previous !== undefined && matches(change.previous);
  if (change.type === 'ADDED') return now ? { type: 'ADDED', object: change.object } : undefined;
  if (change.type === 'DELETED') return before ? { type: 'DELETED', object: change.object } : undefined;
  if (now && before) return { type: 'MODIFIED', object: change.object };
  if (now) return { type: 'ADDED', object: change.object };
  if (before) return { type: 'DELETED', object: change.object };
  return undefined;
}

/**
 * One watch connection: newline-delimited JSON events over a chunked 200 response, the way the
 * API server streams them. Without a resourceVersion (or with "0") it starts with ADDED events
 * for the current objects; with one it replays every change after it, or sends an ERROR event
 * with Status 410 Expired and closes when the history no longer reaches back that far.
 */
export class WatchStream {
  private closed = false;
  private unsubscribe?: () => void;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(private readonly store: ObjectStore, private readonly res: ServerResponse, private readonly request: WatchRequest, private readonly bookmarkIntervalMs: number, private readonly onClose: () => void) {}

  start(): void {
    const { res, request, store } = this;
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    res.on('close', () => this.cleanup());
    const rv = request.resourceVersion;
    if (rv && rv !== '0') {
      const from = Number(rv);
      const changes = Number.isFinite(from) ? store.changesSince(from) : undefined;
      if (!changes) {
        this.write({ type: 'ERROR', object: expired(Number.isFinite(from) ? from : 0, store.oldestResumableVersion) });
        this.end();
        return;
      }
      for (const change of changes) if (this.relevant(change)) this.send(change);
    } else {
      const items = request.namespace === undefined ? store.list(request.resource) : store.list(request.resource, request.namespace);
      for (const object of items) if (request.matches(object)) this.write({ type: 'ADDED', object });
    }
    this.unsubscribe = store.subscribe({ resource: request.resource, namespace: request.namespace, deliver: (change) => this.send(change) });
    if (request.allowBookmarks) {
      const bookmarks = setInterval(() => this.write({ type: 'BOOKMARK', object: { kind: request.kind, apiVersion: 'v1', metadata: { resourceVersion: String(store.resourceVersion) } } }), this.bookmarkIntervalMs);
      this.timers.push(bookmarks);
    }
    if (request.timeoutSeconds !== undefined && request.timeoutSeconds > 0) this.timers.push(setTimeout(() => this.end(), request.timeoutSeconds * 1000));
  }

  /** Ends the stream cleanly, as the server does when timeoutSeconds is over. */
  end(): void {
    if (this.closed) return;
    this.cleanup();
    this.res.end();
  }

  /** Drops the connection without finishing the chunked body, like a broken network or a crashed server. */
  drop(): void {
    this.cleanup();
    this.res.socket?.destroy();
  }

  private relevant(change: Change): boolean {
    return change.resource === this.request.resource && (this.request.namespace === undefined || change.object.metadata.namespace === this.request.namespace);
  }

  private send(change: Change): void {
    const event = translate(change, this.request.matches);
    if (event) this.write(event);
  }

  private write(event: { type: string; object: any }): void {
    if (this.closed) return;
    this.res.write(`${JSON.stringify(event)}\n`);
  }

  private cleanup(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe?.();
    for (const t of this.timers) clearTimeout(t);
    this.onClose();
  }
}
