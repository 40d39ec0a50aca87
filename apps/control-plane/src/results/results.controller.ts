import { Body, Controller, Delete, Get, HttpCode, NotFoundException, Param, Patch, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/current-user.decorator';
import { ArtifactFiles } from '../artifacts/artifact-files';
import { RenameResultDto, ResultFileParamsDto, ResultIdDto } from './dto/result.dto';
import { fileNameFromUrl } from './result-file-path';
import { ResultView } from './result-view';
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
  list(@CurrentUser() user: AuthUser): Promise<ResultView[]> {
    return this.results.list(user);
  }

  @Get(':id')
  get(@CurrentUser() user: AuthUser, @Param() p: ResultIdDto): Promise<ResultView> {
    return this.results.get(user, p.id);
  }

  @Patch(':id')
  rename(@CurrentUser() user: AuthUser, @Param() p: ResultIdDto, @Body() dto: RenameResultDto): Promise<ResultView> {
    return this.results.rename(user, p.id, dto.title);
  }

  /** Deletes the result, its files and its share links. */
  @Delete(':id')
  @HttpCode(204)
  async remove(@CurrentUser() user: AuthUser, @Param() p: ResultIdDto): Promise<void> {
    await this.results.remove(user, p.id);
  }

  /** One file: images, JSON and plain text inline (nosniff); everything else as a download. */
  @Get(':id/files/*path')
  async file(@CurrentUser() user: AuthUser, @Param() p: ResultFileParamsDto, @Req() req: Request, @Res() res: Response): Promise<void> {
    const result = await this.results.findOwned(user, p.id);
    const name = fileNameFromUrl(req.originalUrl);
    const artifact = (await this.results.artifactsOf(result.id)).find((a) => a.name === name);
    if (!artifact) throw new NotFoundException(`The result has no file named "${name}".`);
    await this.files.send(res, artifact);
  }

  /** The whole result as a zip, streamed. */
  @Get(':id/download')
  async download(@CurrentUser() user: AuthUser, @Param() p: ResultIdDto, @Res() res: Response): Promise<void> {
    const result = await this.results.findOwned(user, p.id);
    await this.files.sendZip(res, result.runName, await this.results.artifactsOf(result.id));
  }
}
