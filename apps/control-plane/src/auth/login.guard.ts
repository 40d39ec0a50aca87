import { BadRequestException, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { Request } from 'express';
import { apiValidationPipe } from '../common/validation.pipe';
import { CREDENTIALS_STRATEGY } from './credentials.strategy';
import { LoginDto } from './dto/credentials.dto';

/**
 * Runs the Passport credentials strategy for POST /api/auth/login. Guards run before pipes, so
 * the body is validated here first: a malformed log-in gets the same field-by-field 400 as any
 * other form, not Passport's bare "Missing credentials".
 */
@Injectable()
export class LoginGuard extends AuthGuard(CREDENTIALS_STRATEGY) {
  private readonly validation = apiValidationPipe();

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<Request>();
    req.body = await this.validation.transform(req.body, { type: 'body', metatype: LoginDto, data: '' });
    return (await super.canActivate(context)) as boolean;
  }

  /** Passport fails without an error only when a field is empty (validation let it through as a string). */
  override handleRequest<T>(err: unknown, login: T | false, _info: unknown, _context: ExecutionContext, status?: number): T {
    if (err) throw err;
    if (!login) throw status === 400 ? new BadRequestException({ message: 'Enter your email address and your password.', fields: {} }) : new UnauthorizedException('Wrong email or password.');
    return login;
  }
}
