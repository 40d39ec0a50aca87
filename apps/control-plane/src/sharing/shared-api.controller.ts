import { Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { SharedResult } from '@trialhub/contracts';
import type { Response } from 'express';
import { Public } from '../auth/public.decorator';
import { ApiAnswers } from '../common/api-answers';
import { ShareTokenParamsDto } from './dto/share.dto';
import { setShareHeaders } from './share-headers';
import { SharedResultsService } from './shared-results.service';

/** The share page's content as JSON, for the same public link. */
@ApiTags('sharing')
@Public()
@Controller('api/share')
export class SharedApiController {
  constructor(private readonly shared: SharedResultsService) {}

  @Get(':token')
  @ApiAnswers(200, 'SharedResult')
  async get(@Param() p: ShareTokenParamsDto, @Res({ passthrough: true }) res: Response): Promise<SharedResult> {
    setShareHeaders(res);
    const found = await this.shared.resolve(p.token);
    if (!found) throw new NotFoundException('This share link does not exist, was revoked or has expired.');
    const { shared } = await this.shared.build(p.token, found);
    this.shared.countView(found.share);
    return shared;
  }
}
