import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/current-user.decorator';
import { Roles } from '../auth/roles.decorator';
import { AdminActivityService } from './admin-activity.service';
import { AdminProgrammeService } from './admin-programme.service';
import { AdminUsersService } from './admin-users.service';
import {
  AdmitDto, AuditQueryDto, CreateProfileDto, ExtendTrialDto, IdParamDto, NameParamDto, RoleDto, SuspendDto, UpdateProfileDto,
  UpdateQuotasDto, UsageQueryDto, UserQuotaDto, UserSearchDto,
} from './dto/admin.dto';

/** Every route here needs role admin; anyone else gets 403. */
@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@Controller('api/admin')
export class AdminController {
  constructor(
    private readonly programme: AdminProgrammeService,
    private readonly users: AdminUsersService,
    private readonly activity: AdminActivityService,
  ) {}

  @Get('quotas') quotas() { return this.programme.getQuotas(); }
  @Put('quotas') updateQuotas(@CurrentUser() a: AuthUser, @Body() dto: UpdateQuotasDto) { return this.programme.updateQuotas(a, dto); }

  @Get('profiles') profiles() { return this.programme.listProfiles(); }
  @Post('profiles') createProfile(@CurrentUser() a: AuthUser, @Body() dto: CreateProfileDto) { return this.programme.createProfile(a, dto); }
  @Put('profiles/:name') updateProfile(@CurrentUser() a: AuthUser, @Param() p: NameParamDto, @Body() dto: UpdateProfileDto) { return this.programme.updateProfile(a, p.name, dto); }

  @Get('capacity') capacity() { return this.programme.capacity(); }
  @Get('waitlist') waitlist() { return this.programme.waitlist(); }
  @HttpCode(200) @Post('waitlist/admit') admit(@CurrentUser() a: AuthUser, @Body() dto: AdmitDto) { return this.programme.admit(a, dto.count, dto.trialId); }

  @Get('users') searchUsers(@Query() q: UserSearchDto) { return this.users.search(q.q, q.limit); }
  @Get('users/:id') user(@Param() p: IdParamDto) { return this.users.detail(p.id); }
  @HttpCode(200) @Post('users/:id/suspend') suspend(@CurrentUser() a: AuthUser, @Param() p: IdParamDto, @Body() dto: SuspendDto) { return this.users.suspend(a, p.id, dto.reason); }
  @HttpCode(200) @Post('users/:id/reinstate') reinstate(@CurrentUser() a: AuthUser, @Param() p: IdParamDto) { return this.users.reinstate(a, p.id); }
  @Put('users/:id/role') role(@CurrentUser() a: AuthUser, @Param() p: IdParamDto, @Body() dto: RoleDto) { return this.users.setRole(a, p.id, dto.role); }
  @Put('users/:id/quota') quota(@CurrentUser() a: AuthUser, @Param() p: IdParamDto, @Body() dto: UserQuotaDto) { return this.users.setQuota(a, p.id, dto); }
  @HttpCode(200) @Post('users/:id/trial/extend') extend(@CurrentUser() a: AuthUser, @Param() p: IdParamDto, @Body() dto: ExtendTrialDto) { return this.users.extendTrial(a, p.id, dto.hours ?? 24); }
  @HttpCode(200) @Post('users/:id/trial/end') endTrial(@CurrentUser() a: AuthUser, @Param() p: IdParamDto) { return this.users.endTrial(a, p.id); }
  @Post('users/:id/trials') grant(@CurrentUser() a: AuthUser, @Param() p: IdParamDto) { return this.users.grantTrial(a, p.id); }

  @Get('sessions') sessions() { return this.activity.liveSessions(); }
  @Delete('sessions/:id') forceStop(@CurrentUser() a: AuthUser, @Param() p: IdParamDto) { return this.activity.forceStop(a, p.id); }

  @Get('usage')
  async usage(@Query() q: UsageQueryDto, @Res({ passthrough: true }) res: Response) {
    const usage = await this.activity.usage(q.days ?? 30);
    if (q.format !== 'csv') return usage;
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', 'attachment; filename="trialhub-usage.csv"');
    return this.activity.usageCsv(usage);
  }

  @Get('audit') audit(@Query() q: AuditQueryDto) { return this.activity.auditLog(q); }
}
