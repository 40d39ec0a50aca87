import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-local';
import type { AuthResponse } from '@trialhub/contracts';
import { AuthService } from './auth.service';

/** The name LoginGuard asks Passport for. */
export const CREDENTIALS_STRATEGY = 'credentials';

/**
 * Log-in with email and password, as a Passport strategy: what it yields as the "user" is the
 * whole log-in (account, new bearer token), which the controller turns into cookies. The
 * checks (constant-time miss, suspension) are AuthService.login's.
 */
@Injectable()
export class CredentialsStrategy extends PassportStrategy(Strategy, CREDENTIALS_STRATEGY) {
  constructor(private readonly auth: AuthService) {
    super({ usernameField: 'email', passwordField: 'password', session: false });
  }

  validate(email: string, password: string): Promise<AuthResponse> {
    return this.auth.login(email, password);
  }
}
