import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsISO8601, IsObject, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';

const DOMAIN = /^(?!-)[a-z0-9-]+(\.[a-z0-9-]+)+$/i;

export class UpdateQuotasDto {
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(0) @Max(100) sessionsPerUser?: number;
  @ApiPropertyOptional({ description: 'ms' }) @IsOptional() @IsInt() @Min(60_000) @Max(90 * 86_400_000) trialDurationMs?: number;
  @ApiPropertyOptional({ description: 'ms' }) @IsOptional() @IsInt() @Min(60_000) @Max(7 * 86_400_000) sessionMaxRuntimeMs?: number;
  @ApiPropertyOptional({ description: 'ms' }) @IsOptional() @IsInt() @Min(60_000) @Max(7 * 86_400_000) idleTimeoutMs?: number;
  @ApiPropertyOptional({ nullable: true, description: 'null = unlimited' }) @IsOptional() @IsInt() @Min(0) maxActiveTrials?: number | null;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(0) storagePerUserBytes?: number;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(1024) maxUploadFileBytes?: number;
  @ApiPropertyOptional({ description: 'ms' }) @IsOptional() @IsInt() @Min(3_600_000) @Max(3650 * 86_400_000) resultRetentionMs?: number;
  @ApiPropertyOptional({ type: [String] })
  @IsOptional() @IsArray() @ArrayMaxSize(500) @Matches(DOMAIN, { each: true, message: 'allowedEmailDomains must be domain names like example.com' })
  allowedEmailDomains?: string[];
  @ApiPropertyOptional({ type: [String] })
  @IsOptional() @IsArray() @ArrayMaxSize(500) @Matches(DOMAIN, { each: true, message: 'blockedEmailDomains must be domain names like example.com' })
  blockedEmailDomains?: string[];
  @ApiPropertyOptional({ description: 'also give running and queued sessions the new maximum runtime and idle timeout (default: those keep the limits they started with)' })
  @IsOptional()
  @IsBoolean()
  applyToRunning?: boolean;
}

class TolerationDto {
  @IsString() @MaxLength(253) key: string;
  @IsOptional() @IsIn(['Exists', 'Equal']) operator?: 'Exists' | 'Equal';
  @IsOptional() @IsString() @MaxLength(63) value?: string;
  @IsOptional() @IsIn(['NoSchedule', 'PreferNoSchedule', 'NoExecute']) effect?: string;
}

const QUANTITY = /^\d+(\.\d+)?(m|Ki|Mi|Gi|Ti)?$/;

export class UpdateProfileDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(80) displayName?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) description?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(300) image?: string;
  @ApiPropertyOptional() @IsOptional() @Matches(QUANTITY, { message: 'cpuRequest must be a quantity such as 2 or 500m' }) cpuRequest?: string;
  @ApiPropertyOptional() @IsOptional() @Matches(QUANTITY, { message: 'cpuLimit must be a quantity such as 4' }) cpuLimit?: string;
  @ApiPropertyOptional() @IsOptional() @Matches(QUANTITY, { message: 'memoryRequest must be a quantity such as 8Gi' }) memoryRequest?: string;
  @ApiPropertyOptional() @IsOptional() @Matches(QUANTITY, { message: 'memoryLimit must be a quantity such as 16Gi' }) memoryLimit?: string;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(0) @Max(16) gpus?: number;
  @ApiPropertyOptional() @IsOptional() @IsObject() nodeSelector?: Record<string, string>;
  @ApiPropertyOptional({ type: [TolerationDto] }) @IsOptional() @IsArray() @ValidateNested({ each: true }) @Type(() => TolerationDto) tolerations?: TolerationDto[];
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Kubernetes RuntimeClass for session pods (e.g. gvisor, kata); null: the cluster default' })
  @IsOptional()
  @Matches(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, { message: 'runtimeClassName must be the name of a RuntimeClass (lower-case letters, digits, dashes and dots), or null' })
  @MaxLength(253)
  runtimeClassName?: string | null;
  @ApiPropertyOptional({ description: 'sessions of this profile that may run at once; the rest queue' }) @IsOptional() @IsInt() @Min(0) @Max(100_000) slots?: number;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() isDefault?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() enabled?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(-1_000_000) @Max(1_000_000) sortOrder?: number;
  @ApiPropertyOptional({ description: 'when slots drop below the sessions running, stop the newest ones over the limit (default: they keep running and new launches queue)' })
  @IsOptional()
  @IsBoolean()
  stopExcess?: boolean;
}

export class CreateProfileDto extends UpdateProfileDto {
  @ApiPropertyOptional() @Matches(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, { message: 'name must be lower-case letters, digits and dashes' }) name: string;
}

export class AdmitDto {
  @ApiPropertyOptional({ description: 'admit the next N (default 1)' }) @IsOptional() @IsInt() @Min(1) @Max(10_000) count?: number;
  @ApiPropertyOptional({ description: 'admit this waitlisted trial' }) @IsOptional() @IsUUID('all', { message: 'trialId must be a trial id (a UUID)' }) trialId?: string;
}

export class ExtendTrialDto {
  @ApiPropertyOptional({ description: 'hours to add to the trial (default 24)' }) @IsOptional() @IsInt() @Min(1) @Max(24 * 90) hours?: number;
}

export class SuspendDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) reason?: string;
}

export class RoleDto {
  @IsIn(['user', 'admin'], { message: 'role must be user or admin' }) role: 'user' | 'admin';
}

export class UserQuotaDto {
  @ApiPropertyOptional({ nullable: true }) @IsOptional() @IsInt() @Min(0) @Max(100) sessionsPerUser?: number | null;
  @ApiPropertyOptional({ nullable: true }) @IsOptional() @IsInt() @Min(0) storageBytes?: number | null;
  @ApiPropertyOptional({ nullable: true, type: [String] }) @IsOptional() @IsArray() @IsString({ each: true }) allowedProfiles?: string[] | null;
}

export class UserSearchDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(254) q?: string;
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
}

export class AuditQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) action?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(254) actor?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) target?: string;
  @ApiPropertyOptional() @IsOptional() @IsISO8601() since?: string;
  @ApiPropertyOptional({ description: 'only events older than this event id (the next page: the last id of the previous one)' })
  @IsOptional()
  @Matches(/^\d{1,18}$/, { message: 'before must be an audit event id (a whole number)' })
  before?: string;
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000) limit?: number;
}

export class UsageQueryDto {
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(366) days?: number;
  @ApiPropertyOptional() @IsOptional() @IsIn(['json', 'csv']) format?: 'json' | 'csv';
}

export class IdParamDto {
  @IsUUID('all', { message: 'The id must be a UUID.' }) id: string;
}

export class NameParamDto {
  @Matches(/^[a-z0-9-]{1,63}$/, { message: 'The profile name must be lower-case letters, digits and dashes.' }) name: string;
}
