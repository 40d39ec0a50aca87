import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength, ValidateIf } from 'class-validator';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../password-policy';
import { IsAcceptablePassword } from './acceptable-password.validator';
import { IsEmailAddress } from './email-address.validator';

export class ChangePasswordDto {
  @ApiProperty() @IsString({ message: 'Enter your current password.' }) @MaxLength(PASSWORD_MAX_LENGTH, { message: 'That is not your current password.' }) currentPassword: string;
  @ApiProperty({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH, description: 'Refused when common, breached or easy to guess' })
  @IsAcceptablePassword()
  newPassword: string;
}

/** `{ email }` asks for a reset mail; `{ token, password }` sets the new password. */
export class PasswordResetDto {
  @ApiPropertyOptional({ description: 'Request a reset link for this account' })
  @ValidateIf((o) => o.token === undefined)
  @IsEmailAddress()
  email?: string;

  @ApiPropertyOptional({ description: 'The token from the reset mail' })
  @IsOptional()
  @IsString({ message: 'The reset link is incomplete: open it from the mail again.' })
  @MaxLength(200, { message: 'The reset link is incomplete: open it from the mail again.' })
  token?: string;

  @ApiPropertyOptional({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH, description: 'Refused when common, breached or easy to guess' })
  @ValidateIf((o) => o.token !== undefined)
  @IsAcceptablePassword()
  password?: string;
}

export class VerifyEmailDto {
  @ApiProperty({ description: 'The token from the verification mail' })
  @IsString({ message: 'The verification link is incomplete: open it from the mail again.' })
  @MaxLength(200, { message: 'The verification link is incomplete: open it from the mail again.' })
  token: string;
}
