import { Transform } from 'class-transformer';
import { Allow, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';

export class ResultIdDto {
  @IsUUID('all', { message: 'The result id must be a UUID.' }) id: string;
}

export class RenameResultDto {
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsString({ message: 'title must be text.' })
  @MinLength(1, { message: 'title may not be empty.' })
  @MaxLength(200, { message: 'title may have at most 200 characters.' })
  title: string;
}

/** `/:id/files/*path`: the path is read from the URL itself (segment by segment), so it is only allowed here. */
export class ResultFileParamsDto extends ResultIdDto {
  @Allow() path?: unknown;
}
