import { ConflictException, ForbiddenException, Injectable, PayloadTooLargeException, ServiceUnavailableException, UnprocessableEntityException, UnsupportedMediaTypeException } from '@nestjs/common';
import type { Request } from 'express';
import { createWriteStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { OWN_PHOTOS_FOLDER, PhotoClassCount, PhotoUploadView } from '@trialhub/contracts';
import { checkImage } from '@trialhub/vision';
import type { AuthUser } from '../auth/auth-user';
import { settleWithLimit } from '../common/map-limit';
import { RateLimitService } from '../rate-limits/rate-limit.service';
import { SessionTokens } from '../sessions/session-tokens';
import { SessionsService } from '../sessions/sessions.service';
import { NotebookFiles, NotebookUnreachableError } from './notebook-files';
import { PHOTO_LIMITS, photoSetProblem, planPhotos, storedName } from './photo-set';
import { mib, readZipDirectory, readZipEntry, ZipError } from './zip-reader';

const ZIP_TYPES = /^(application\/(zip|x-zip-compressed|octet-stream))$/i;

/**
 * Your own photos: a zip of class folders, checked file by file (zip-slip, links, bombs, images
 * that do not decode), written into the session's workspace (`my-photos/<class>/`) through the
 * session's Jupyter, so the same path works on the local runtime and on Kubernetes.
 */
@Injectable()
export class OwnPhotosService {
  /** One upload per session at a time on this replica: two would interleave their writes. */
  private readonly uploading = new Set<string>();

  constructor(
    private readonly sessions: SessionsService,
    private readonly tokens: SessionTokens,
    private readonly limits: RateLimitService,
  ) {}

  async upload(auth: AuthUser, sessionId: string, req: Request): Promise<PhotoUploadView> {
    const session = await this.sessions.findVisible(auth, sessionId);
    if (session.userId !== auth.id) throw new ForbiddenException('Only the session’s owner can add photos to its workspace.');
    const type = String(req.headers['content-type'] ?? '').split(';')[0].trim();
    if (!ZIP_TYPES.test(type)) throw new UnsupportedMediaTypeException(`Send the .zip itself as the request body, as application/zip (got "${type || 'none'}").`);
    if (session.state !== 'ready' || !session.endpointHost || !session.endpointPort) throw new ConflictException('The session is not running: start or resume it, then add your photos.');
    if (session.mode !== 'jupyter') throw new ConflictException('This session runs without a notebook server, so it has no workspace to add photos to.');
    await this.limits.attempt('photo-upload', req.ip ?? req.socket.remoteAddress ?? 'unknown', auth.email);
    if (this.uploading.has(sessionId)) throw new ConflictException('Photos are already being added to this session: wait for that upload to finish.');
    this.uploading.add(sessionId);
    const dir = await mkdtemp(join(tmpdir(), 'trialhub-photos-'));
    try {
      const zipPath = join(dir, 'upload.zip');
      const size = await receive(req, zipPath);
      const files = new NotebookFiles({ host: session.endpointHost, port: session.endpointPort, basePath: `/notebook/${session.id}/`, jupyterToken: this.tokens.jupyterToken(session.id, session.generation) });
      return await this.unpack(zipPath, size, files);
    } catch (error) {
      if (error instanceof ZipError) throw new UnprocessableEntityException(error.message);
      if (error instanceof NotebookUnreachableError) throw new ServiceUnavailableException(error.message);
      throw error;
    } finally {
      this.uploading.delete(sessionId);
      await rm(dir, { recursive: true, force: true });
    }
  }

  private async unpack(zipPath: string, size: number, files: NotebookFiles): Promise<PhotoUploadView> {
    const zip = await open(zipPath, 'r');
    try {
      const plan = planPhotos(await readZipDirectory(zip, size, PHOTO_LIMITS));
      const refused = [...plan.refused];
      const accepted: { className: string; name: string; bytes: Buffer }[] = [];
      // One photo in memory per slot: at most 4 x maxFileBytes, whatever the zip claims.
      await allWithLimit(plan.photos, 4, async (photo) => {
        const bytes = await readZipEntry(zip, photo.entry);
        const checked = await checkImage(bytes, { limitInputPixels: PHOTO_LIMITS.maxPixels });
        if ('problem' in checked) refused.push(`${photo.entry.name}: ${checked.problem}`);
        else accepted.push({ className: photo.className, name: storedName(photo.fileName, checked.format), bytes });
      });
      const counts = new Map<string, number>();
      for (const a of accepted) counts.set(a.className, (counts.get(a.className) ?? 0) + 1);
      const problem = photoSetProblem(counts);
      refused.sort();
      if (problem) throw new UnprocessableEntityException({ message: `${problem} Nothing was added.`, details: refused });

      await files.makeFolder(OWN_PHOTOS_FOLDER);
      for (const className of counts.keys()) await files.makeFolder(`${OWN_PHOTOS_FOLDER}/${className}`);
      await allWithLimit(accepted, 4, (a) => files.writeFile(`${OWN_PHOTOS_FOLDER}/${a.className}/${a.name}`, a.bytes));
      const classes: PhotoClassCount[] = [];
      for (const entry of await files.list(OWN_PHOTOS_FOLDER)) {
        if (entry.type !== 'directory') continue;
        const total = (await files.list(`${OWN_PHOTOS_FOLDER}/${entry.name}`)).filter((f) => f.type !== 'directory' && /\.(jpe?g|png|webp)$/i.test(f.name)).length;
        classes.push({ name: entry.name, added: counts.get(entry.name) ?? 0, total });
      }
      classes.sort((a, b) => a.name.localeCompare(b.name));
      return { folder: OWN_PHOTOS_FOLDER, classes, refused, ignored: plan.ignored };
    } finally {
      await zip.close();
    }
  }
}

/** settleWithLimit, failing with the first failure once every started call has settled. */
async function allWithLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  const failed = (await settleWithLimit(items, limit, fn)).find((r) => r.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
}

/** Streams the body to a file, at most maxUploadBytes (413 past it, checked as it arrives). */
async function receive(req: Request, path: string): Promise<number> {
  const tooLarge = () => new PayloadTooLargeException(`The zip is larger than ${mib(PHOTO_LIMITS.maxUploadBytes)}; upload fewer photos at a time.`);
  if (Number(req.headers['content-length'] ?? 0) > PHOTO_LIMITS.maxUploadBytes) throw tooLarge();
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      done(size > PHOTO_LIMITS.maxUploadBytes ? tooLarge() : null, chunk);
    },
  });
  try {
    await pipeline(req, meter, createWriteStream(path));
  } catch (error) {
    if (error instanceof PayloadTooLargeException) throw error;
    throw new UnprocessableEntityException('The upload was cut off before the zip was complete: try again.');
  }
  if (!size) throw new UnprocessableEntityException('The request had no zip in it: send the .zip file itself as the body.');
  return size;
}
