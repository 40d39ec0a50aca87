import { Body, Controller, Delete, Get, HttpCode, MessageEvent, Param, Post, Req, Sse } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { Observable } from 'rxjs';
import type { SessionView } from '@trialhub/contracts';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/current-user.decorator';
import { ApiAnswers } from '../common/api-answers';
import { LaunchSessionDto } from './dto/launch-session.dto';
import { SessionIdDto } from './dto/session-id.dto';
import { SessionEventsStream } from './session-events.stream';
import { SessionsService } from './sessions.service';

@ApiTags('sessions')
@ApiBearerAuth()
@Controller('api/sessions')
export class SessionsController {
  constructor(
    private readonly sessions: SessionsService,
    private readonly stream: SessionEventsStream,
  ) {}

  /** Launch a notebook session (202: it is queued; follow it with GET or the event stream). */
  @Post()
  @HttpCode(202)
  @ApiAnswers(202, 'SessionView', 'the queued session')
  launch(@CurrentUser() user: AuthUser, @Body() dto: LaunchSessionDto): Promise<SessionView> {
    return this.sessions.launch(user, dto.profile);
  }

  @Get()
  @ApiAnswers(200, 'SessionView[]')
  list(@CurrentUser() user: AuthUser): Promise<SessionView[]> {
    return this.sessions.list(user);
  }

  @Get(':id')
  @ApiAnswers(200, 'SessionView')
  get(@CurrentUser() user: AuthUser, @Param() p: SessionIdDto): Promise<SessionView> {
    return this.sessions.get(user, p.id);
  }

  /** Server-Sent Events: the history first, then every new event and state as it happens. */
  @Sse(':id/events')
  @ApiOkResponse({ description: 'text/event-stream: `event` messages carry a `SessionEventView`, `state` messages a `SessionView` (@trialhub/contracts).' })
  async events(@CurrentUser() user: AuthUser, @Param() p: SessionIdDto, @Req() req: Request): Promise<Observable<MessageEvent>> {
    await this.sessions.findVisible(user, p.id);
    const lastEventId = typeof req.headers['last-event-id'] === 'string' ? req.headers['last-event-id'] : '0';
    return this.stream.follow(user, p.id, /^\d+$/.test(lastEventId) ? lastEventId : '0');
  }

  @Delete(':id')
  @HttpCode(202)
  @ApiAnswers(202, 'SessionView', 'the stopping session')
  stop(@CurrentUser() user: AuthUser, @Param() p: SessionIdDto): Promise<SessionView> {
    return this.sessions.stop(user, p.id);
  }

  @Post(':id/resume')
  @HttpCode(202)
  @ApiAnswers(202, 'SessionView', 'the queued session')
  resume(@CurrentUser() user: AuthUser, @Param() p: SessionIdDto): Promise<SessionView> {
    return this.sessions.resume(user, p.id);
  }
}
