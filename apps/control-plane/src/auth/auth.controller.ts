import { Body, Controller, Get, HttpCode, Post, Put, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { AuthResponse } from '@trialhub/contracts';
import { AppConfig } from '../config/app-config';
import { AuthThrottlerGuard } from './auth-throttler.guard';
import type { AuthUser } from './auth-user';
import { AuthService } from './auth.service';
import { AUTH_TOKEN_TTL_MS, CSRF_COOKIE, SESSION_COOKIE } from './cookies';
import { CurrentUser } from './current-user.decorator';
import { CredentialsDto, LoginDto } from './dto/credentials.dto';
import { ChangePasswordDto, PasswordResetDto, VerifyEmailDto } from './dto/password.dto';
import { Public } from './public.decorator';

@ApiTags('auth')
@ApiBearerAuth()
@Controller('api/auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly config: AppConfig,
  ) {}

  @Public()
  @UseGuards(AuthThrottlerGuard)
  @Post('signup')
  async signup(@Body() dto: CredentialsDto, @Res({ passthrough: true }) res: Response): Promise<AuthResponse> {
    return this.withCookies(res, await this.auth.signup(dto.email, dto.password));
  }

  @Public()
  @UseGuards(AuthThrottlerGuard)
  @Post('login')
  @HttpCode(200)
  async login(@Body() dto: LoginDto, @Res({ passthrough: true }) res: Response): Promise<AuthResponse> {
    return this.withCookies(res, await this.auth.login(dto.email, dto.password));
  }

  @Post('logout')
  @HttpCode(204)
  async logout(@CurrentUser() user: AuthUser, @Res({ passthrough: true }) res: Response): Promise<void> {
    await this.auth.logout(user);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.clearCookie(CSRF_COOKIE, { path: '/' });
  }

  @Get('me')
  me(@CurrentUser() user: AuthUser) {
    return this.auth.me(user);
  }

  @Public()
  @Post('verify')
  @HttpCode(200)
  async verify(@Body() dto: VerifyEmailDto) {
    await this.auth.verifyEmail(dto.token);
    return { verified: true };
  }

  @Post('verify/resend')
  @HttpCode(202)
  async resendVerification(@CurrentUser() user: AuthUser) {
    await this.auth.resendVerification(user);
    return { sent: true };
  }

  /** `{ email }` sends a reset link (always 202); `{ token, password }` sets the new password. */
  @Public()
  @UseGuards(AuthThrottlerGuard)
  @Post('password-reset')
  @HttpCode(202)
  async passwordReset(@Body() dto: PasswordResetDto) {
    if (dto.token !== undefined) {
      await this.auth.confirmPasswordReset(dto.token, dto.password!);
      return { reset: true };
    }
    await this.auth.requestPasswordReset(dto.email!);
    return { sent: true, message: 'If an account exists for this address, a reset link is on its way.' };
  }

  @Put('password')
  @HttpCode(200)
  async changePassword(@CurrentUser() user: AuthUser, @Body() dto: ChangePasswordDto) {
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
