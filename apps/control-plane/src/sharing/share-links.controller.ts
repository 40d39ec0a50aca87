import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiTags } from '@nestjs/swagger';
import type { CreatedShareLink, ShareLinkView } from '@trialhub/contracts';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/current-user.decorator';
import { ApiAnswers } from '../common/api-answers';
import { CreateShareDto, ResultSharesParamsDto, ShareParamsDto } from './dto/share.dto';
import { ShareLinksService } from './share-links.service';

/** The owner's share links of one result. */
@ApiTags('sharing')
@ApiBearerAuth()
@Controller('api/results/:id/shares')
export class ShareLinksController {
  constructor(private readonly shares: ShareLinksService) {}

  /** A new link (optional `expiresAt` or `expiresInDays`); the token is in this answer only. */
  @Post()
  @ApiAnswers(201, 'CreatedShareLink', 'the link with its token and URL (shown this once)')
  create(@CurrentUser() user: AuthUser, @Param() p: ResultSharesParamsDto, @Body() dto: CreateShareDto): Promise<CreatedShareLink> {
    return this.shares.create(user, p.id, dto);
  }

  @Get()
  @ApiAnswers(200, 'ShareLinkView[]', 'newest first, revoked and expired ones included')
  list(@CurrentUser() user: AuthUser, @Param() p: ResultSharesParamsDto): Promise<ShareLinkView[]> {
    return this.shares.list(user, p.id);
  }

  @Delete(':shareId')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Revoked (also when it already was).' })
  async revoke(@CurrentUser() user: AuthUser, @Param() p: ShareParamsDto): Promise<void> {
    await this.shares.revoke(user, p.id, p.shareId);
  }
}
