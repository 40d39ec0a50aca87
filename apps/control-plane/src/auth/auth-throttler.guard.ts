import { Injectable } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerLimitDetail } from '@nestjs/throttler';
import type { ExecutionContext } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';

/** Log-in attempts count per address and email (so one attacker cannot lock everyone out); other auth writes per address. */
@Injectable()
export class AuthThrottlerGuard extends ThrottlerGuard {
  protected async getTracker(req: Record<string, any>): Promise<string> {
    const email = typeof req.body?.email === 'string' ? req.body.email.trim().toLowerCase() : '';
    const path: string = req.route?.path ?? req.url;
    return path.endsWith('/login') ? `${req.ip}|${email}` : `${req.ip}`;
  }

  protected async throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    throw new ThrottlerException(`Too many attempts. Wait ${Math.ceil(detail.timeToBlockExpire || detail.ttl / 1000)} seconds and try again.`);
  }
}
