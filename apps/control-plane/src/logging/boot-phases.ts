import { Logger } from '@nestjs/common';
import { performance } from 'node:perf_hooks';

const logger = new Logger('Boot');

/** One debug line per start-up phase (`event: boot.phase`, `phase`, `ms`): where a start goes, for operators and the start-up bench. */
export function logBootPhase(phase: string, ms: number): void {
  logger.debug({ event: 'boot.phase', phase, ms: Math.round(ms * 10) / 10, msg: `Start-up: ${phase} took ${ms.toFixed(1)} ms` });
}

/**
 * Consecutive phases of `startServer`. The first, `load`, is the time from process start to
 * here (Node and every module the server imports). Phases before the app's logger exists are
 * kept and written by `flush` (Nest's default logger would print them whatever LOG_LEVEL says).
 */
export class BootPhases {
  private last = performance.now();
  private readonly pending: Array<[string, number]> = [['load', this.last]];

  /** Ends the phase that began at the previous call. */
  end(phase: string): void {
    const now = performance.now();
    this.pending.push([phase, now - this.last]);
    this.last = now;
  }

  /** Writes the phases kept so far (call once the app's logger is in place); later ones are written at once. */
  flush(): void {
    for (const [phase, ms] of this.pending.splice(0)) logBootPhase(phase, ms);
    this.end = (phase: string) => {
      const now = performance.now();
      logBootPhase(phase, now - this.last);
      this.last = now;
    };
  }

  /** The time from process start, logged as phase `total`. */
  done(): void {
    this.last = performance.now();
    logBootPhase('total', this.last);
  }
}

/** Times an awaited step inside another phase (the database connection and migrations inside Nest's start). */
export async function timedBootPhase<T>(phase: string, step: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await step();
  } finally {
    logBootPhase(phase, performance.now() - start);
  }
}
