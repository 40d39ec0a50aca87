import { Body, Controller, Get, HttpCode, Post, Put, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type {
  AuthResponse,
  EmailVerifiedResponse,
  MeResponse,
  PasswordChangedResponse,
  PasswordResetDoneResponse,
  PasswordResetRequestedResponse,
  SignupPendingResponse,
  VerificationSentResponse,
} from '@trialhub/contracts';
import { ApiAnswers } from '../common/api-answers';
import { AppConfig } from '../config/app-config';
import type { AuthUser } from './auth-user';
import { AuthService } from './auth.service';
import { AUTH_TOKEN_TTL_MS, CSRF_COOKIE, SESSION_COOKIE } from './cookies';
import { CurrentUser } from './current-user.decorator';
import { LoginGuard } from './login.guard';
import { CredentialsDto, LoginDto } from './dto/credentials.dto';
import { ChangePasswordDto, PasswordResetDto, VerifyEmailDto } from './dto/password.dto';
import { Public } from './public.decorator';
import { RateLimit } from '../rate-limits/rate-limit.decorator';
import { RateLimitGuard } from '../rate-limits/rate-limit.guard';

@ApiTags('auth')
@ApiBearerAuth()
@Controller('api/auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly config: AppConfig,
  ) {}

  @Public()
  @UseGuards(RateLimitGuard)
  @RateLimit('signup')
  @Post('signup')
  @ApiAnswers(201, 'AuthResponse', 'email verification off: the new user, a bearer token and the CSRF token (the cookies are set too)')
  @ApiAnswers(202, 'SignupPendingResponse', 'email verification required: "check your inbox", whether or not the address already has an account')
  async signup(@Body() dto: CredentialsDto, @Res({ passthrough: true }) res: Response): Promise<AuthResponse | SignupPendingResponse> {
    const answer = await this.auth.signup(dto.email, dto.password);
    if ('pending' in answer) {
      res.status(202);
      return answer;
    }
    return this.withCookies(res, answer);
  }

  @Public()
  @UseGuards(RateLimitGuard, LoginGuard)
  @RateLimit('login')
  @Post('login')
  @HttpCode(200)
  @ApiAnswers(200, 'AuthResponse', 'the user, a bearer token and the CSRF token (the cookies are set too)')
  login(@Body() _credentials: LoginDto, @Req() req: Request & { user: AuthResponse }, @Res({ passthrough: true }) res: Response): AuthResponse {
    // LoginGuard (Passport's credentials strategy) has checked the password and issued the token.
    return this.withCookies(res, req.user);
  }

  @Post('logout')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'The token is revoked and the cookies cleared.' })
  async logout(@CurrentUser() user: AuthUser, @Res({ passthrough: true }) res: Response): Promise<void> {
    await this.auth.logout(user);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.clearCookie(CSRF_COOKIE, { path: '/' });
  }

  @Post('logout-everywhere')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Every log-in of the account is revoked (other browsers, API tokens, notebook cookies) and this one\'s cookies cleared.' })
  async logoutEverywhere(@CurrentUser() user: AuthUser, @Res({ passthrough: true }) res: Response): Promise<void> {
    await this.auth.logoutEverywhere(user);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.clearCookie(CSRF_COOKIE, { path: '/' });
  }

  @Get('me')
  @ApiAnswers(200, 'MeResponse', 'the caller, and the CSRF token for cookie callers (null with a bearer token)')
  me(@CurrentUser() user: AuthUser): Promise<MeResponse> {
    return this.auth.me(user);
  }

  @Public()
  @Post('verify')
  @HttpCode(200)
  @ApiAnswers(200, 'EmailVerifiedResponse')
  async verify(@Body() dto: VerifyEmailDto): Promise<EmailVerifiedResponse> {
    await this.auth.verifyEmail(dto.token);
    return { verified: true };
  }

  @UseGuards(RateLimitGuard)
  @RateLimit('verification-resend')
  @Post('verify/resend')
  @HttpCode(202)
  @ApiAnswers(202, 'VerificationSentResponse')
  async resendVerification(@CurrentUser() user: AuthUser): Promise<VerificationSentResponse> {
    await this.auth.resendVerification(user);
    return { sent: true };
  }

  /** `{ email }` sends a reset link (always 202); `{ token, password }` sets the new password. */
  @Public()
  @UseGuards(RateLimitGuard)
  @RateLimit((body) => (body.token !== undefined ? 'password-reset-confirm' : 'password-reset-request'))
  @Post('password-reset')
  @HttpCode(202)
  @ApiAnswers(202, 'PasswordResetRequestedResponse | PasswordResetDoneResponse', 'the first for `{ email }`, the second for `{ token, password }`')
  async passwordReset(@Body() dto: PasswordResetDto): Promise<PasswordResetDoneResponse | PasswordResetRequestedResponse> {
    if (dto.token !== undefined) {
      await this.auth.confirmPasswordReset(dto.token, dto.password!);
      return { reset: true };
    }
    await this.auth.requestPasswordReset(dto.email!);
    return { sent: true, message: 'If an account exists for this address, a reset link is on its way.' };
  }

  @Put('password')
  @HttpCode(200)
  @ApiAnswers(200, 'PasswordChangedResponse')
  async changePassword(@CurrentUser() user: AuthUser, @Body() dto: ChangePasswordDto): Promise<PasswordChangedResponse> {
    await this.auth.changePassword(user, dto.currentPassword, dto.newPassword);
    return { changed: true };
  }

  private withCookies(res: Response, body: AuthResponse): AuthResponse {
    const secure = this.config.publicUrl.startsWith('https://');
    res.cookie(SESSION_COOKIE, body.token, { httpOnly: true, secure, sameSite: 'lax', path: '/', maxAge: AUTH_TOKEN_TTL_MS });
    res.cookie(CSRF_COOKIE, body.csrfToken, { httpOnly: false, secure, sameSite: 'lax', path: '/', maxAge: AUTH_TOKEN_TTL_MS });
    return body;
  }
}
