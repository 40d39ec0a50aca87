import { Inject, Injectable, Logger, NotFoundException } from '@nestjs/common';
import type { Response } from 'express';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { ArtifactEntity } from '../database/entities';
import { ArtifactMissingError, ARTIFACT_STORE, ArtifactStore } from './artifact-store';
import { contentKindFor } from './content-types';

/** Every file response is inert even if a browser were to render it: no scripts, no plugins, its own origin. */
const FILE_CSP = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox; frame-ancestors 'none'";

/** `attachment; filename="…"; filename*=UTF-8''…` with the last part of the name. */
export function contentDisposition(kind: 'inline' | 'attachment', name: string): string {
  const base = name.split('/').pop() || 'file';
  const ascii = base.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(base)}`;
}

/** Sends stored files to browsers: one file (inline only for safe types), or a whole result as a streamed zip. */
@Injectable()
export class ArtifactFiles {
  private readonly logger = new Logger('ArtifactFiles');

  constructor(@Inject(ARTIFACT_STORE) private readonly store: ArtifactStore) {}

  async send(res: Response, artifact: ArtifactEntity, options: { cache: 'private' | 'public' } = { cache: 'private' }): Promise<void> {
    let stream;
    try {
      stream = await this.store.get(artifact.storageKey);
    } catch (err) {
      if (err instanceof ArtifactMissingError) {
        this.logger.error({ key: artifact.storageKey, artifactId: artifact.id }, 'A stored file the database knows is missing; the sweep will drop its row');
        throw new NotFoundException(`${artifact.name} is no longer available.`);
      }
      throw err;
    }
    const inline = contentKindFor(artifact.name).inline;
    res.status(200);
    res.setHeader('Content-Type', inline ? artifact.contentType : 'application/octet-stream');
    res.setHeader('Content-Length', String(artifact.size));
    res.setHeader('Content-Disposition', contentDisposition(inline ? 'inline' : 'attachment', artifact.name));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Security-Policy', FILE_CSP);
    res.setHeader('ETag', `"${artifact.sha256}"`);
    res.setHeader('Cache-Control', options.cache === 'public' ? 'no-cache' : 'private, no-cache');
    try {
      await pipeline(stream, res);
    } catch (err) {
      // The client went away or the store failed mid-way: nothing left to answer.
      this.logger.debug({ err, key: artifact.storageKey }, 'File download ended early');
    }
  }

  /** The whole result as a zip, streamed one stored file after the other. */
  async sendZip(res: Response, zipName: string, artifacts: ArtifactEntity[]): Promise<void> {
    // Loaded on the first zip, not at start-up.
    const { default: archiver } = await import('archiver');
    const archive = archiver('zip', { zlib: { level: 6 } });
    res.status(200);
    res.setHeader('Content-Type', 'application/zip');
    res.setHeader('Content-Disposition', contentDisposition('attachment', `${zipName}.zip`));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'private, no-cache');
    const done = pipeline(archive, res).catch((err) => this.logger.debug({ err }, 'Zip download ended early'));
    try {
      for (const artifact of [...artifacts].sort((a, b) => a.name.localeCompare(b.name))) {
        const stream = await this.store.get(artifact.storageKey);
        const added = once(archive, 'entry');
        archive.append(stream, { name: artifact.name, date: artifact.createdAt });
        await added;
      }
      await archive.finalize();
    } catch (err) {
      this.logger.error({ err }, 'Could not build the zip of a result; the download is cut off');
      archive.abort();
      res.destroy();
    }
    await done;
  }
}
