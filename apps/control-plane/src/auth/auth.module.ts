import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { RateLimitsModule } from '../rate-limits/rate-limits.module';
import { TrialsModule } from '../trials/trials.module';
import { AuthController } from './auth.controller';
import { AuthTokenCache } from './auth-token-cache';
import { GlobalAuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { RequestAuthenticator } from './request-authenticator';

@Module({
  imports: [
    TrialsModule,
    RateLimitsModule,
  ],
  controllers: [AuthController],
  providers: [AuthService, AuthTokenCache, RequestAuthenticator, { provide: APP_GUARD, useClass: GlobalAuthGuard }],
  exports: [AuthService, AuthTokenCache],
})
export class AuthModule {}
