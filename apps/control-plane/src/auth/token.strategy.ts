import { Injectable, UnauthorizedException } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { Strategy } from 'passport-custom';
import type { AuthUser } from './auth-user';
import { AuthService } from './auth.service';
import { SESSION_COOKIE } from './cookies';

/** Passport strategy: a bearer token (API clients) or the session cookie (browsers), both opaque and stored hashed. */
@Injectable()
export class TokenStrategy extends PassportStrategy(Strategy, 'token') {
  constructor(private readonly auth: AuthService) {
    super();
  }

  async validate(req: Request): Promise<AuthUser> {
    const header = req.headers.authorization;
    let token: string | undefined;
    let via: AuthUser['via'] = 'bearer';
    if (header?.startsWith('Bearer ')) token = header.slice(7).trim();
    else if (req.cookies?.[SESSION_COOKIE]) {
      token = req.cookies[SESSION_COOKIE];
      via = 'cookie';
    }
    if (!token) throw new UnauthorizedException('Log in first: send the session cookie or an "Authorization: Bearer <token>" header.');
    return this.auth.authenticate(token, via);
  }
}
