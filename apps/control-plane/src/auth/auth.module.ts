import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { RateLimitsModule } from '../rate-limits/rate-limits.module';
import { TrialsModule } from '../trials/trials.module';
import { AuthController } from './auth.controller';
import { AuthTokenCache } from './auth-token-cache';
import { GlobalAuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { CredentialsStrategy } from './credentials.strategy';
import { RequestAuthenticator } from './request-authenticator';

@Module({
  imports: [
    PassportModule,
    TrialsModule,
    RateLimitsModule,
  ],
  controllers: [AuthController],
  providers: [AuthService, AuthTokenCache, RequestAuthenticator, CredentialsStrategy, { provide: APP_GUARD, useClass: GlobalAuthGuard }],
  exports: [AuthService, AuthTokenCache],
})
export class AuthModule {}
