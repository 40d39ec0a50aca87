import { Allow, IsInt, IsISO8601, IsOptional, IsUUID, Max, Min } from 'class-validator';

export class CreateShareDto {
  @IsOptional() @IsISO8601({ strict: true }, { message: 'expiresAt must be an ISO 8601 date such as 2030-01-31T12:00:00Z.' }) expiresAt?: string;
  @IsOptional() @IsInt({ message: 'expiresInDays must be a whole number of days.' }) @Min(1, { message: 'expiresInDays must be at least 1.' }) @Max(3650, { message: 'expiresInDays may be at most 3650.' }) expiresInDays?: number;
}

export class ResultSharesParamsDto {
  @IsUUID('all', { message: 'The result id must be a UUID.' }) id: string;
}

export class ShareParamsDto extends ResultSharesParamsDto {
  @IsUUID('all', { message: 'The share link id must be a UUID.' }) shareId: string;
}

/** Public share routes: the token is checked by the service (unknown and malformed tokens are both a plain 404). */
export class ShareTokenParamsDto {
  @Allow() token: string;
  @Allow() path?: unknown;
}
