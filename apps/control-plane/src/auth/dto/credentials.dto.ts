import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../password-policy';
import { IsAcceptablePassword } from './acceptable-password.validator';
import { IsEmailAddress } from './email-address.validator';
import { IsFilledIn } from './filled-in.validator';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

const EMAIL_TOO_LONG = 'An email address has at most 254 characters.';

export class CredentialsDto {
  @ApiProperty({ example: 'ada@example.com' })
  @Transform(trim)
  @IsEmailAddress()
  email: string;

  @ApiProperty({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH, example: 'correct horse battery staple', description: 'Refused when common, breached or easy to guess (zxcvbn score below 3)' })
  @IsAcceptablePassword('email')
  password: string;
}

export class LoginDto {
  @ApiProperty() @Transform(trim) @IsFilledIn('Enter your email address.', 254, EMAIL_TOO_LONG) email: string;
  @ApiProperty() @IsFilledIn('Enter your password.', PASSWORD_MAX_LENGTH, `A password has at most ${PASSWORD_MAX_LENGTH} characters.`) password: string;
}
