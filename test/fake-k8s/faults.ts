import type { RequestMatch } from './types';

interface Rule {
  remaining: number;
  match: RequestMatch;
  status?: 500 | 503 | 429 | 504;
  delayMs?: number;
}

const matches = (match: RequestMatch, method: string, path: string) =>
  (!match.method || match.method.toUpperCase() === method.toUpperCase()) && (!match.pathIncludes || path.includes(match.pathIncludes));

/** Injected faults: the next N matching requests fail with a status or wait before they are served. */
export class FaultPlan {
  private readonly failures: Rule[] = [];
  private readonly delays: Rule[] = [];

  failNext(count: number, status: 500 | 503 | 429 | 504 = 500, match: RequestMatch = {}): void {
    if (count > 0) this.failures.push({ remaining: count, status, match });
  }

  delayNext(count: number, ms: number, match: RequestMatch = {}): void {
    if (count > 0) this.delays.push({ remaining: count, delayMs: ms, match });
  }

  /** Consumes the rules this request matches: how long to wait first, and which status to fail with. */
  take(method: string, path: string): { delayMs: number; status?: 500 | 503 | 429 | 504 } {
    const delay = this.consume(this.delays, method, path);
    const failure = this.consume(this.failures, method, path);
    return { delayMs: delay?.delayMs ?? 0, status: failure?.status };
  }

  private consume(rules: Rule[], method: string, path: string): Rule | undefined {
    const index = rules.findIndex((r) => matches(r.match, method, path));
    if (index < 0) return undefined;
    const rule = rules[index];
    if (--rule.remaining <= 0) rules.splice(index, 1);
    return rule;
  }
}
