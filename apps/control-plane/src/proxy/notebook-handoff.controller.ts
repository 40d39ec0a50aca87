import { ConflictException, Controller, HttpCode, NotFoundException, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { NotebookHandoffResponse } from '@trialhub/contracts';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/current-user.decorator';
import { ApiAnswers } from '../common/api-answers';
import { SessionIdDto } from '../sessions/dto/session-id.dto';
import { NotebookHandoffService, notRunningMessage } from './notebook-handoff.service';

@ApiTags('sessions')
@ApiBearerAuth()
@Controller('api/sessions')
export class NotebookHandoffController {
  constructor(private readonly handoffs: NotebookHandoffService) {}

  /** A one-time link (60 s, once) to the session's notebook on its own origin; opening it sets that origin's cookie. Owner only; 409 while queued, stopped or failed. */
  @Post(':id/notebook-handoff')
  @HttpCode(201)
  @ApiAnswers(201, 'NotebookHandoffResponse', "the link; it opens the notebook's file list")
  async handoff(@CurrentUser() user: AuthUser, @Param() p: SessionIdDto): Promise<NotebookHandoffResponse> {
    const id = p.id.toLowerCase();
    const minted = await this.handoffs.mint(user, id, `/notebook/${id}/tree`);
    if (minted.kind === 'not-found') throw new NotFoundException('No such session, or it is not yours.');
    if (minted.kind === 'not-running') throw new ConflictException(notRunningMessage(minted.state));
    return { url: minted.url };
  }
}
