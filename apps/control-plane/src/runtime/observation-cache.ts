import type { RuntimeObservation } from './session-runtime';

interface Logger { error(msg: string): void }

export type ObservationListener = (observation: RuntimeObservation) => void;

/**
 * The part every driver shares (KubeSpawner's reflector, reduced to what the reconciler reads):
 * the latest observation per session, and the fan-out to `watch` listeners. A repeat of the
 * last observation is not sent again, a session's first word being "gone" is not news, and a
 * listener that throws is logged without keeping the others from hearing.
 */
export class ObservationCache {
  private readonly latest = new Map<string, RuntimeObservation>();
  private readonly listeners = new Set<ObservationListener>();

  constructor(private readonly logger: Logger = console) {}

  get(sessionId: string): RuntimeObservation | undefined {
    return this.latest.get(sessionId);
  }

  /** Drops what is known about a session without telling anyone (a retained failure that a new launch replaces). */
  forget(sessionId: string): void {
    this.latest.delete(sessionId);
  }

  subscribe(listener: ObservationListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  clearListeners(): void {
    this.listeners.clear();
  }

  /** Stores the observation and tells the listeners, unless nothing changed. Returns whether they were told. */
  record(observation: RuntimeObservation): boolean {
    const previous = this.latest.get(observation.sessionId);
    if (observation.phase === 'gone') this.latest.delete(observation.sessionId);
    else this.latest.set(observation.sessionId, observation);
    if (previous ? sameObservation(previous, observation) : observation.phase === 'gone') return false;
    for (const listener of [...this.listeners]) {
      try {
        listener(observation);
      } catch (err) {
        this.logger.error(`A runtime listener failed on session ${observation.sessionId}: ${(err as Error)?.message ?? String(err)}`);
      }
    }
    return true;
  }
}

/** Field by field, so the order in which a driver wrote the fields does not matter. */
function sameObservation(a: RuntimeObservation, b: RuntimeObservation): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'undefined';
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([x], [y]) => (x < y ? -1 : 1));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}
