import { Injectable, UnauthorizedException } from '@nestjs/common';
import type { Request } from 'express';
import type { AuthUser } from './auth-user';
import { AuthService } from './auth.service';
import { SESSION_COOKIE } from './cookies';

/**
 * Finds the caller of a request: a bearer token (API clients) or the session cookie (browsers),
 * both opaque and stored hashed. Called by the global guard directly: Passport's per-request
 * machinery (strategy instances, callbacks) was a tenth of a cached session read's cost.
 */
@Injectable()
export class RequestAuthenticator {
  constructor(private readonly auth: AuthService) {}

  authenticate(req: Request): Promise<AuthUser> {
    const header = req.headers.authorization;
    let token: string | undefined;
    let via: AuthUser['via'] = 'bearer';
    if (header?.startsWith('Bearer ')) token = header.slice(7).trim();
    else if (req.cookies?.[SESSION_COOKIE]) {
      token = req.cookies[SESSION_COOKIE];
      via = 'cookie';
    }
    if (!token) return Promise.reject(new UnauthorizedException('Log in first: send the session cookie or an "Authorization: Bearer <token>" header.'));
    return this.auth.authenticate(token, via);
  }
}
