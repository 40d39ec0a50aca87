import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsOptional, IsString, MaxLength, MinLength, ValidateIf } from 'class-validator';

export class ChangePasswordDto {
  @ApiProperty() @IsString({ message: 'currentPassword must be a string' }) @MaxLength(256) currentPassword: string;
  @ApiProperty({ minLength: 8 })
  @IsString({ message: 'newPassword must be a string' })
  @MinLength(8, { message: 'newPassword must be at least 8 characters' })
  @MaxLength(256)
  newPassword: string;
}

/** `{ email }` asks for a reset mail; `{ token, password }` sets the new password. */
export class PasswordResetDto {
  @ApiPropertyOptional({ description: 'Request a reset link for this account' })
  @ValidateIf((o) => o.token === undefined)
  @IsEmail({}, { message: 'email must be a valid email address (or send token and password to confirm a reset)' })
  email?: string;

  @ApiPropertyOptional({ description: 'The token from the reset mail' })
  @IsOptional()
  @IsString({ message: 'token must be a string' })
  @MaxLength(200)
  token?: string;

  @ApiPropertyOptional({ minLength: 8 })
  @ValidateIf((o) => o.token !== undefined)
  @IsString({ message: 'password must be a string' })
  @MinLength(8, { message: 'password must be at least 8 characters' })
  @MaxLength(256)
  password?: string;
}

export class VerifyEmailDto {
  @ApiProperty({ description: 'The token from the verification mail' }) @IsString({ message: 'token must be a string' }) @MaxLength(200) token: string;
}
