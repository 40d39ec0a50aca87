import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { ProfilesModule } from '../profiles/profiles.module';
import { SessionsModule } from '../sessions/sessions.module';
import { TrialsModule } from '../trials/trials.module';
import { AdminActivityService } from './admin-activity.service';
import { AdminController } from './admin.controller';
import { AdminProgrammeService } from './admin-programme.service';
import { AdminUsersService } from './admin-users.service';

@Module({
  imports: [AuthModule, ProfilesModule, SessionsModule, TrialsModule],
  controllers: [AdminController],
  providers: [AdminProgrammeService, AdminUsersService, AdminActivityService],
})
export class AdminModule {}
