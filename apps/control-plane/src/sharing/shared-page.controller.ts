import { Controller, Get, Inject, NotFoundException, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { ArtifactFiles } from '../artifacts/artifact-files';
import { ARTIFACT_STORE, ArtifactStore } from '../artifacts/artifact-store';
import { Public } from '../auth/public.decorator';
import { AppConfig } from '../config/app-config';
import { fileNameFromUrl } from '../results/result-file-path';
import { ShareTokenParamsDto } from './dto/share.dto';
import { previewPng } from './preview-image';
import { renderShareNotFound, renderSharePage, SHARE_PAGE_CSP } from './share-page';
import { SHARE_PAGE_SCRIPT } from './share-page-script';
import { setShareHeaders } from './share-headers';
import { SharedResultsService } from './shared-results.service';

/** The report runs in an opaque origin with no script: the CSP sandbox plus the iframe's own sandbox attribute. */
const REPORT_CSP = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'self'";

/** The public, read-only share page and its files. Unknown, revoked and expired links all get the same plain 404 page. */
@ApiExcludeController()
@Public()
@Controller('share')
export class SharedPageController {
  constructor(
    private readonly shared: SharedResultsService,
    private readonly files: ArtifactFiles,
    @Inject(ARTIFACT_STORE) private readonly store: ArtifactStore,
    private readonly config: AppConfig,
  ) {}

  /** The page's script (dates in the reader's time, try-it): a file, since the page's CSP allows no inline script. */
  @Get('-/share-page.js')
  script(@Res() res: Response): void {
    res.setHeader('Content-Type', 'text/javascript; charset=utf-8');
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.status(200).send(SHARE_PAGE_SCRIPT);
  }

  @Get(':token')
  async page(@Param() p: ShareTokenParamsDto, @Res() res: Response): Promise<void> {
    setShareHeaders(res);
    res.setHeader('Content-Security-Policy', SHARE_PAGE_CSP);
    const found = await this.shared.resolve(p.token);
    if (!found) return this.notFound(res);
    const { shared, notebooks, misclassified } = await this.shared.build(p.token, found);
    this.shared.countView(found.share);
    const pageUrl = `${this.config.publicUrl}/share/${p.token}`;
    const extras = { pageUrl, previewUrl: `${pageUrl}/preview.png`, signupUrl: '/signup', misclassified, predictUrl: this.shared.predictUrl(p.token, found) };
    res.status(200).type('html').send(renderSharePage(shared, notebooks, extras));
  }

  /** The link preview's picture (og:image): title, honest headline, what the run was. */
  @Get(':token/preview.png')
  async preview(@Param() p: ShareTokenParamsDto, @Res() res: Response): Promise<void> {
    setShareHeaders(res);
    const found = await this.shared.resolve(p.token);
    if (!found) return this.notFound(res);
    const png = await previewPng(`${found.result.id}:${found.result.title}`, found.result.title, found.result.metrics);
    res.status(200).type('png').setHeader('Content-Length', String(png.length));
    res.end(png);
  }

  @Get(':token/files/*path')
  async file(@Param() p: ShareTokenParamsDto, @Req() req: Request, @Res() res: Response): Promise<void> {
    setShareHeaders(res);
    const found = await this.shared.resolve(p.token);
    const name = found ? fileNameFromUrl(req.originalUrl) : null;
    const artifact = found?.artifacts.find((a) => a.name === name);
    if (!artifact) return this.notFound(res);
    try {
      await this.files.send(res, artifact, { cache: 'public' });
    } catch (err) {
      if (err instanceof NotFoundException) return this.notFound(res);
      throw err;
    }
  }

  @Get(':token/download')
  async download(@Param() p: ShareTokenParamsDto, @Res() res: Response): Promise<void> {
    setShareHeaders(res);
    const found = await this.shared.resolve(p.token);
    if (!found) return this.notFound(res);
    await this.files.sendZip(res, found.result.runName, found.artifacts);
  }

  /** The trainer's HTML report, for the sandboxed frame on the share page only. */
  @Get(':token/report')
  async report(@Param() p: ShareTokenParamsDto, @Res() res: Response): Promise<void> {
    setShareHeaders(res, 'same-origin');
    const found = await this.shared.resolve(p.token);
    const built = found && (await this.shared.build(p.token, found)).shared.report;
    const artifact = built ? found.artifacts.find((a) => a.name === built.name) : undefined;
    if (!artifact) return this.notFound(res);
    const stream = await this.store.get(artifact.storageKey).catch(() => null);
    if (!stream) return this.notFound(res);
    res.status(200);
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.setHeader('Content-Security-Policy', REPORT_CSP);
    res.setHeader('Content-Length', String(artifact.size));
    await pipeline(stream, res).catch(() => undefined);
  }

  private notFound(res: Response): void {
    res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
    res.status(404).type('html').send(renderShareNotFound());
  }
}
