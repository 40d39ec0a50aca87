import { HttpException, HttpStatus, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { RATE_LIMIT_POLICY, rateLimitKeys, RateLimitedAction, waitSentence } from './rate-limit-policy';
import { RateLimitCountersRepository } from './rate-limit-counters.repository';

const PRUNE_EVERY_MS = 60_000;

/** A refused attempt: 429, with how long to wait (also in Retry-After). */
export class TooManyAttemptsException extends HttpException {
  constructor(readonly retryAfterSeconds: number, what: string) {
    super(`Too many ${what} from here. ${waitSentence(retryAfterSeconds)}`, HttpStatus.TOO_MANY_REQUESTS);
  }
}

/** Decides whether an attempt may go ahead, counting it in PostgreSQL (so every replica shares the limits). */
@Injectable()
export class RateLimitService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('RateLimits');
  private pruner: NodeJS.Timeout | null = null;

  constructor(
    private readonly counters: RateLimitCountersRepository,
    private readonly config: AppConfig,
  ) {}

  /** Counts one attempt; throws TooManyAttemptsException when any of its keys is past its limit. */
  async attempt(action: RateLimitedAction, address: string, email: string): Promise<void> {
    const { limit, periodMs } = this.config.authRateLimit;
    const keys = rateLimitKeys(action, address, email.trim().toLowerCase(), limit);
    const limits = new Map([keys.first, ...keys.then].map((k) => [k.key, k.limit]));
    const states = await this.counters.hit(keys.first.key, keys.first.limit, keys.then.map((k) => k.key), periodMs);
    const over = states.filter((s) => s.hits > limits.get(s.key)!);
    if (over.length) throw new TooManyAttemptsException(Math.max(...over.map((s) => s.resetsInSeconds)), RATE_LIMIT_POLICY[action].what);
  }

  onModuleInit(): void {
    this.pruner = setInterval(() => {
      this.counters.pruneExpired().catch((err) => this.logger.warn({ err }, 'Could not prune expired rate-limit counters'));
    }, PRUNE_EVERY_MS);
    this.pruner.unref();
  }

  onModuleDestroy(): void {
    if (this.pruner) clearInterval(this.pruner);
  }
}
