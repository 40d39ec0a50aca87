import { Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/current-user.decorator';
import { Public } from '../auth/public.decorator';
import { ResultIdDto } from '../results/dto/result.dto';
import { ShareTokenParamsDto } from '../sharing/dto/share.dto';
import { Prediction, PredictService } from './predict.service';

/** Try-it: POST a photo (the raw image as the body), get the class and confidence from the result's own model. */
@ApiTags('results')
@Controller()
export class PredictController {
  constructor(private readonly predictions: PredictService) {}

  @Post('api/results/:id/predict')
  @HttpCode(200)
  @ApiOperation({ summary: "Classify a photo with the result's model (body: the image, image/jpeg, image/png or image/webp)" })
  @ApiOkResponse({ description: 'The class, its confidence and every class score.' })
  forOwner(@CurrentUser() user: AuthUser, @Param() p: ResultIdDto, @Req() req: Request): Promise<Prediction> {
    return this.predictions.forOwner(user, p.id, req);
  }

  @Public()
  @Post('share/:token/predict')
  @HttpCode(200)
  @ApiOperation({ summary: "Classify a photo with a shared result's model; a revoked or expired link answers 404" })
  @ApiOkResponse({ description: 'The class, its confidence and every class score.' })
  forShare(@Param() p: ShareTokenParamsDto, @Req() req: Request): Promise<Prediction> {
    return this.predictions.forShare(p.token, req);
  }
}
