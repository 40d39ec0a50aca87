import { Module } from '@nestjs/common';
import { RateLimitCountersRepository } from './rate-limit-counters.repository';
import { RateLimitGuard } from './rate-limit.guard';
import { RateLimitService } from './rate-limit.service';

/** Limits on sign-up, log-in, password reset and verification mails, shared by every replica. */
@Module({
  providers: [RateLimitCountersRepository, RateLimitService, RateLimitGuard],
  exports: [RateLimitService, RateLimitGuard],
})
export class RateLimitsModule {}
