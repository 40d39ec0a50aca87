import { CanActivate, ExecutionContext, ForbiddenException, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AppConfig } from '../config/app-config';
import { safeEqual } from '../common/crypto';
import type { AuthUser } from './auth-user';
import { CSRF_HEADER, csrfTokenFor } from './cookies';
import { IS_PUBLIC } from './public.decorator';
import { RequestAuthenticator } from './request-authenticator';
import { ROLES } from './roles.decorator';

/** Global guard: every route needs a user unless @Public(); @Roles() restricts by role; cookie writes need the CSRF token. */
@Injectable()
export class GlobalAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly config: AppConfig,
    private readonly authenticator: RequestAuthenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const req = context.switchToHttp().getRequest<Request & { user: AuthUser }>();
    const user = await this.authenticator.authenticate(req);
    req.user = user;
    if (user.via === 'cookie' && !['GET', 'HEAD', 'OPTIONS'].includes(req.method)) {
      const sent = req.headers[CSRF_HEADER];
      if (typeof sent !== 'string' || !safeEqual(sent, csrfTokenFor(this.config.secret, user.tokenHash))) {
        throw new ForbiddenException(`Missing or wrong CSRF token: send the value of the trialhub_csrf cookie in the "${CSRF_HEADER}" header.`);
      }
    }
    const roles = this.reflector.getAllAndOverride<string[] | undefined>(ROLES, targets);
    if (roles && !roles.includes(user.role)) throw new ForbiddenException('This needs an administrator account.');
    return true;
  }
}

