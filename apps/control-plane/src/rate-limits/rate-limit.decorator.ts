import { SetMetadata } from '@nestjs/common';
import type { RateLimitedAction } from './rate-limit-policy';

export const RATE_LIMIT = 'trialhub:rate-limit';

/** The action a route counts as; a function picks it from the (unvalidated) body. */
export type RateLimitChoice = RateLimitedAction | ((body: Record<string, unknown>) => RateLimitedAction);

/** Counts the route's requests in the shared limits (RateLimitGuard, with @UseGuards). */
export const RateLimit = (choice: RateLimitChoice) => SetMetadata(RATE_LIMIT, choice);
