import { Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import type { PhotoUploadView } from '@trialhub/contracts';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/current-user.decorator';
import { SessionIdDto } from '../sessions/dto/session-id.dto';
import { OwnPhotosService } from './own-photos.service';

@ApiTags('sessions')
@ApiBearerAuth()
@Controller('api/sessions')
export class OwnPhotosController {
  constructor(private readonly photos: OwnPhotosService) {}

  @Post(':id/photos')
  @HttpCode(200)
  @ApiOperation({ summary: "Add labelled photos to a running session's workspace (body: a .zip with one folder per class, application/zip); they land in my-photos/<class>/" })
  @ApiOkResponse({ description: 'PhotoUploadView: the class counts and the files refused, each with its reason.' })
  upload(@CurrentUser() user: AuthUser, @Param() p: SessionIdDto, @Req() req: Request): Promise<PhotoUploadView> {
    return this.photos.upload(user, p.id, req);
  }
}
