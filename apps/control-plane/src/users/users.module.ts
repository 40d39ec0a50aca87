import { Global, Module } from '@nestjs/common';
import { BootstrapAdmin } from './bootstrap-admin';
import { UsersService } from './users.service';

@Global()
@Module({ providers: [UsersService, BootstrapAdmin], exports: [UsersService, BootstrapAdmin] })
export class UsersModule {}
