import { BadRequestException, Controller, Logger, PayloadTooLargeException, Post, Put, Req, Res, UnsupportedMediaTypeException, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../auth/public.decorator';
import { ApiExceptionFilter } from '../common/api-exception.filter';
import { jsonValueProblem } from '../common/json-body';
import { UploadListenerGuard } from './upload-listener';
import { parseUploadPath, UploadNameError } from './upload-names';
import { UploadsService } from './uploads.service';

const PREFIX = '/api/uploads/';
const COMPLETE_BODY_LIMIT = 16 * 1024;
/** After refusing a body early, read (and drop) at most this much of it so the client can see the answer. */
const DRAIN_LIMIT_BYTES = 64 * 1024 * 1024;
const DRAIN_LIMIT_MS = 10_000;

/**
 * The session upload API (raw bodies: no body parser runs under /api/uploads). It is
 * public to the user guard because its credential is the session's upload token, which
 * the service checks; a user's cookie or API token is never accepted here. It answers only on
 * the upload listener (UPLOAD_PORT), the one port session pods may reach.
 */
@ApiTags('uploads')
@ApiBearerAuth()
@Public()
@UseGuards(UploadListenerGuard)
@Controller('api/uploads')
export class UploadsController {
  private readonly logger = new Logger('Uploads');
  private readonly errors = new ApiExceptionFilter();

  constructor(private readonly uploads: UploadsService) {}

  @Post(':run/complete')
  @ApiOperation({ summary: 'Finish a run: it becomes a Result (body: {"title"?: string})' })
  async complete(@Req() req: Request, @Res() res: Response): Promise<void> {
    try {
      const { runName } = this.names(`${req.params.run}/complete`);
      const body = await readSmallJson(req);
      res.status(201).json(await this.uploads.complete(req.headers.authorization, runName, body));
    } catch (err) {
      this.refuse(req, res, err);
    }
  }

  @Put('*path')
  @ApiOperation({ summary: 'Upload one file of a run: PUT /api/uploads/{run}/{relative/path}, raw body' })
  async put(@Req() req: Request, @Res() res: Response): Promise<void> {
    try {
      const { runName, fileName } = this.names(req.originalUrl.slice(PREFIX.length));
      const length = req.headers['content-length'];
      const file = await this.uploads.putFile({
        authorization: req.headers.authorization,
        runName,
        fileName,
        declaredType: req.headers['content-type'],
        declaredLength: length === undefined ? null : Number(length),
        body: req,
      });
      res.status(file.skipped ? 200 : 201).json(file);
    } catch (err) {
      this.refuse(req, res, err);
    }
  }

  private names(rawPath: string): { runName: string; fileName: string } {
    try {
      return parseUploadPath(rawPath);
    } catch (err) {
      if (err instanceof UploadNameError) throw new BadRequestException(err.message);
      throw err;
    }
  }

  /** Answers an error in the API's JSON shape; if the body was not read, drains a bounded part of it so the client sees the answer. */
  private refuse(req: Request, res: Response, err: unknown): void {
    const id = (req as unknown as { id?: unknown }).id;
    const body = { ...this.errors.toBody(err), requestId: typeof id === 'string' ? id : undefined };
    if (body.statusCode >= 500) this.logger.error({ err, path: req.path }, 'Upload failed');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (!req.complete) {
      res.setHeader('Connection', 'close');
      let drained = 0;
      const stop = () => req.destroy();
      const timer = setTimeout(stop, DRAIN_LIMIT_MS);
      req.on('data', (chunk: Buffer) => {
        drained += chunk.length;
        if (drained > DRAIN_LIMIT_BYTES) stop();
      });
      req.on('close', () => clearTimeout(timer));
      req.on('error', () => undefined);
      req.resume();
    }
    res.status(body.statusCode).json(body);
  }
}

/** The small JSON body of `complete`, read by hand because no body parser runs under /api/uploads. */
async function readSmallJson(req: Request): Promise<unknown> {
  const tooLarge = () => new PayloadTooLargeException(`The body of complete may have at most ${COMPLETE_BODY_LIMIT / 1024} KiB.`);
  if (Number(req.headers['content-length'] ?? 0) > COMPLETE_BODY_LIMIT) throw tooLarge();
  const raw = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      chunks.push(chunk);
      if (size > COMPLETE_BODY_LIMIT) {
        // Stop collecting but leave the stream open: the refusal drains it so the client sees the answer.
        req.off('data', onData);
        req.pause();
        reject(tooLarge());
      }
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
  const text = raw.toString('utf8').trim();
  if (!text) return null;
  if (!req.is('application/json')) throw new UnsupportedMediaTypeException('Send the body of complete as JSON with "Content-Type: application/json".');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new BadRequestException('The body of complete is not valid JSON.');
  }
  const problem = jsonValueProblem(body);
  if (problem) throw new BadRequestException(problem);
  return body;
}
