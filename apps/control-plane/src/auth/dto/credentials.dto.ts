import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsString, MaxLength, MinLength } from 'class-validator';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CredentialsDto {
  @ApiProperty({ example: 'ada@example.com' })
  @Transform(trim)
  @IsEmail({}, { message: 'email must be a valid email address, like ada@example.com' })
  @MaxLength(254, { message: 'email must be at most 254 characters' })
  email: string;

  @ApiProperty({ minLength: 8, example: 'correct horse battery staple' })
  @IsString({ message: 'password must be a string' })
  @MinLength(8, { message: 'password must be at least 8 characters' })
  @MaxLength(256, { message: 'password must be at most 256 characters' })
  password: string;
}

export class LoginDto {
  @ApiProperty() @Transform(trim) @IsString({ message: 'email must be a string' }) @MaxLength(254) email: string;
  @ApiProperty() @IsString({ message: 'password must be a string' }) @MaxLength(256) password: string;
}
