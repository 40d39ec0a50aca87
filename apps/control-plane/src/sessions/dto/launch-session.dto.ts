import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';

export class LaunchSessionDto {
  @ApiPropertyOptional({ description: 'Profile name; the default profile when omitted', example: 'power8-gpu' })
  @IsOptional()
  @IsString({ message: 'profile must be a string' })
  @MaxLength(63)
  @Matches(/^[a-z0-9][a-z0-9-]*$/, { message: 'profile must be a profile name such as power8-gpu (see GET /api/profiles)' })
  profile?: string;
}
