import { Body, Controller, Delete, Get, HttpCode, NotFoundException, Param, Patch, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { ResultView } from '@trialhub/contracts';
import type { Request, Response } from 'express';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/current-user.decorator';
import { ArtifactFiles } from '../artifacts/artifact-files';
import { ApiAnswers } from '../common/api-answers';
import { RenameResultDto, ResultFileParamsDto, ResultIdDto } from './dto/result.dto';
import { fileNameFromUrl } from './result-file-path';
import { ResultsService } from './results.service';

@ApiTags('results')
@ApiBearerAuth()
@Controller('api/results')
export class ResultsController {
  constructor(
    private readonly results: ResultsService,
    private readonly files: ArtifactFiles,
  ) {}

  /** The caller's saved results, newest first. */
  @Get()
  @ApiAnswers(200, 'ResultView[]', 'newest first')
  list(@CurrentUser() user: AuthUser): Promise<ResultView[]> {
    return this.results.list(user);
  }

  @Get(':id')
  @ApiAnswers(200, 'ResultView')
  get(@CurrentUser() user: AuthUser, @Param() p: ResultIdDto): Promise<ResultView> {
    return this.results.get(user, p.id);
  }

  @Patch(':id')
  @ApiAnswers(200, 'ResultView', 'the renamed result')
  rename(@CurrentUser() user: AuthUser, @Param() p: ResultIdDto, @Body() dto: RenameResultDto): Promise<ResultView> {
    return this.results.rename(user, p.id, dto.title);
  }

  /** Deletes the result, its files and its share links. */
  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted.' })
  async remove(@CurrentUser() user: AuthUser, @Param() p: ResultIdDto): Promise<void> {
    await this.results.remove(user, p.id);
  }

  /** One file: images, JSON and plain text inline (nosniff); everything else as a download. */
  @Get(':id/files/*path')
  @ApiOkResponse({ description: "The file's bytes, with its content type." })
  async file(@CurrentUser() user: AuthUser, @Param() p: ResultFileParamsDto, @Req() req: Request, @Res() res: Response): Promise<void> {
    const result = await this.results.findOwned(user, p.id);
    const name = fileNameFromUrl(req.originalUrl);
    const artifact = (await this.results.artifactsOf(result.id)).find((a) => a.name === name);
    if (!artifact) throw new NotFoundException(`The result has no file named "${name}".`);
    await this.files.send(res, artifact);
  }

  /** The whole result as a zip, streamed. */
  @Get(':id/download')
  @ApiOkResponse({ description: 'application/zip: every file of the result.' })
  async download(@CurrentUser() user: AuthUser, @Param() p: ResultIdDto, @Res() res: Response): Promise<void> {
    const result = await this.results.findOwned(user, p.id);
    await this.files.sendZip(res, result.runName, await this.results.artifactsOf(result.id));
  }
}
