import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import type { AuthUser } from '../auth/auth-user';
import { RATE_LIMIT, RateLimitChoice } from './rate-limit.decorator';
import { RateLimitService, TooManyAttemptsException } from './rate-limit.service';

/**
 * Counts the request under its @RateLimit action before the handler runs. The address is
 * Express's `req.ip`, which honours X-Forwarded-For only as far as TRUST_PROXY allows; the email
 * comes from the body (or the logged-in user), read defensively since validation runs later.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly limits: RateLimitService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const choice = this.reflector.get<RateLimitChoice | undefined>(RATE_LIMIT, context.getHandler());
    if (!choice) return true;
    const req = context.switchToHttp().getRequest<Request & { user?: AuthUser }>();
    const body = req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? (req.body as Record<string, unknown>) : {};
    const action = typeof choice === 'function' ? choice(body) : choice;
    // A logged-in caller is counted by their own address, whatever the body says.
    const email = req.user?.email ?? (typeof body.email === 'string' ? body.email : '');
    try {
      await this.limits.attempt(action, req.ip ?? req.socket.remoteAddress ?? 'unknown', email);
    } catch (err) {
      if (err instanceof TooManyAttemptsException) context.switchToHttp().getResponse<Response>().setHeader('Retry-After', String(err.retryAfterSeconds));
      throw err;
    }
    return true;
  }
}
