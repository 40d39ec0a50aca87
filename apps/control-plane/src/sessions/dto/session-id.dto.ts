import { IsUUID } from 'class-validator';

export class SessionIdDto {
  @IsUUID('all', { message: 'The session id must be a UUID.' }) id: string;
}
