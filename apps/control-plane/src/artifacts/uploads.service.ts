import {
  BadRequestException, ConflictException, HttpException, Inject, Injectable, Logger, NotFoundException, PayloadTooLargeException,
  UnprocessableEntityException, UnsupportedMediaTypeException,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { resultHeadline, runDescription } from '@trialhub/contracts';
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AppConfig } from '../config/app-config';
import { ArtifactEntity, ResultEntity, SessionEntity } from '../database/entities';
import { QuotasService } from '../quotas/quotas.service';
import { MetricsFileError, parseTrainerMetrics } from '../results/trainer-metrics';
import { ARTIFACT_STORE, ArtifactStore } from './artifact-store';
import { contentKindFor, contentMismatch, declaredTypeMatches } from './content-types';
import { readStored } from './read-stored';
import { storageUsedBy } from './storage-usage';
import { UploadLimitError, UploadMeter } from './upload-meter';
import { normaliseFileName, UploadNameError } from './upload-names';
import { UploadSessions } from './upload-session';
import { LifecycleLog } from '../logging/lifecycle-log.service';

/** JSON files up to this size are parsed completely to check them; larger ones only by their first bytes. */
const JSON_CHECK_BYTES = 16 * 1024 * 1024;
const METRICS_FILE = 'metrics.json';
const METRICS_MAX_BYTES = 1024 * 1024;
const MAX_TITLE = 200;

export interface UploadedFile {
  name: string;
  size: number;
  sha256: string;
  contentType: string;
  /** True when the same name with the same content was already saved: nothing changed. */
  skipped: boolean;
}

export interface IncomingUpload {
  authorization: string | undefined;
  runName: string;
  fileName: string;
  declaredType: string | undefined;
  /** From Content-Length; null for chunked bodies. */
  declaredLength: number | null;
  body: Readable;
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MiB`;

/** A body that ended early: the client went away or sent fewer bytes than it announced. */
export class TruncatedUploadError extends BadRequestException {}

/**
 * The upload API's decisions: which session may upload, the limits, content checks and
 * the one transaction that makes a stored file part of a result.
 */
@Injectable()
export class UploadsService {
  private readonly logger = new Logger('Uploads');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(ARTIFACT_STORE) private readonly store: ArtifactStore,
    private readonly sessions: UploadSessions,
    private readonly quotas: QuotasService,
    private readonly config: AppConfig,
    private readonly audit: AuditService,
    private readonly lifecycle: LifecycleLog,
  ) {}

  async putFile(upload: IncomingUpload): Promise<UploadedFile> {
    const session = await this.sessions.authorize(upload.authorization);
    const fileName = this.checkName(upload.fileName);
    const kind = contentKindFor(fileName);
    if (!declaredTypeMatches(upload.declaredType, kind)) {
      throw new UnsupportedMediaTypeException(`${fileName} was sent as "${upload.declaredType}" but its extension means ${kind.type}. Send a matching Content-Type (or application/octet-stream).`);
    }
    const result = await this.runFor(session, upload.runName);
    const quotas = await this.quotas.forUser(session.userId);
    // A file that replaces one of the same name only needs room for the difference.
    const replacing = await this.dataSource.manager.findOne(ArtifactEntity, { where: { resultId: result.id, name: fileName } });
    const remaining = Math.max(0, quotas.storagePerUserBytes - (await storageUsedBy(this.dataSource.manager, session.userId)) + (replacing?.size ?? 0));
    const fileLimit = `${fileName} is larger than the ${mib(quotas.maxUploadFileBytes)} a single file may have.`;
    const storageLimit = `${fileName} does not fit in your storage: ${mib(remaining)} of ${mib(quotas.storagePerUserBytes)} are left. Delete old results to make room.`;
    if (upload.declaredLength !== null && upload.declaredLength > quotas.maxUploadFileBytes) throw new PayloadTooLargeException(fileLimit);
    if (upload.declaredLength !== null && upload.declaredLength > remaining) throw new PayloadTooLargeException(storageLimit);

    const byFile = quotas.maxUploadFileBytes <= remaining;
    const meter = new UploadMeter({
      limitBytes: Math.min(quotas.maxUploadFileBytes, remaining),
      limitMessage: byFile ? fileLimit : storageLimit,
      keepUpTo: kind.check === 'json' ? Math.min(JSON_CHECK_BYTES, quotas.maxUploadFileBytes) : 0,
    });
    const key = `results/${result.id}/${randomUUID()}`;
    await this.receive(upload, meter, key, kind.type);

    let replacedKey: string | null = null;
    let skipped = false;
    try {
      if (upload.declaredLength !== null && meter.bytes !== upload.declaredLength) {
        throw new TruncatedUploadError(`The upload of ${fileName} ended after ${meter.bytes} of ${upload.declaredLength} bytes; nothing was saved. Send it again.`);
      }
      const mismatch = contentMismatch(fileName, kind, meter.head(), meter.whole());
      if (mismatch) throw new UnsupportedMediaTypeException(mismatch);
      const sha256 = meter.digest!;
      await this.dataSource.transaction(async (manager) => {
        // One user's commits in a row, so the storage limit holds under concurrent uploads.
        await manager.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`trialhub:storage:${session.userId}`]);
        await this.sessions.assertStillOpen(manager, session.id);
        const current = await manager.findOne(ResultEntity, { where: { id: result.id }, lock: { mode: 'pessimistic_write' } });
        if (!current) throw new ConflictException(`The run "${upload.runName}" was deleted while ${fileName} was uploading; upload to a new run name.`);
        const existing = await manager.findOne(ArtifactEntity, { where: { resultId: result.id, name: fileName } });
        if (existing && existing.sha256 === sha256) {
          skipped = true;
          return;
        }
        if (current.state === 'complete' && !executedNotebookReplacement(current, session.id, fileName)) throw new ConflictException(`The run "${upload.runName}" is complete and cannot change; upload to a new run name.`);
        const used = await storageUsedBy(manager, session.userId);
        if (used - (existing?.size ?? 0) + meter.bytes > quotas.storagePerUserBytes) throw new PayloadTooLargeException(storageLimit);
        if (existing) {
          // A new row (not an update), so the sweep's "row older than the listing" rule stays true.
          await manager.delete(ArtifactEntity, { id: existing.id });
          replacedKey = existing.storageKey;
        }
        await manager.insert(ArtifactEntity, {
          userId: session.userId, sessionId: session.id, resultId: result.id, name: fileName, size: meter.bytes, sha256, contentType: kind.type, storageKey: key,
        });
      });
      if (skipped) await this.store.delete(key);
      if (replacedKey) await this.deleteQuietly(replacedKey);
      return { name: fileName, size: meter.bytes, sha256, contentType: kind.type, skipped };
    } catch (err) {
      await this.deleteQuietly(key);
      throw err;
    }
  }

  /** Finishes a run: reads its metrics.json, names it and starts its retention. Repeating it answers the same. */
  async complete(authorization: string | undefined, runName: string, body: unknown): Promise<{ resultId: string; url: string }> {
    const given = this.titleFrom(body, runName);
    const session = await this.sessions.authorize(authorization);
    const quotas = await this.quotas.forUser(session.userId);
    let saved = false;
    const result = await this.dataSource.transaction(async (manager) => {
      await this.sessions.assertStillOpen(manager, session.id);
      const found = await manager.findOne(ResultEntity, { where: { sessionId: session.id, runName }, lock: { mode: 'pessimistic_write' } });
      if (!found) throw new NotFoundException(`No files were uploaded for the run "${runName}"; upload its files first, then complete it.`);
      if (found.state === 'complete') return found;
      const metricsFile = await manager.findOne(ArtifactEntity, { where: { resultId: found.id, name: METRICS_FILE } });
      if (!metricsFile) throw new UnprocessableEntityException(`The run "${runName}" has no ${METRICS_FILE}; upload the trainer's ${METRICS_FILE} before completing it.`);
      const text = await readStored(this.store, metricsFile.storageKey, METRICS_MAX_BYTES);
      if (!text) throw new UnprocessableEntityException(`${METRICS_FILE} is larger than ${mib(METRICS_MAX_BYTES)}; it should hold the headline metrics only.`);
      let metrics;
      try {
        metrics = parseTrainerMetrics(text.toString('utf8'));
      } catch (err) {
        if (err instanceof MetricsFileError) throw new UnprocessableEntityException(err.message);
        throw err;
      }
      const now = new Date();
      // No title given: one that says what the run was (data, mode and the honest headline with its N).
      const title = given === runName ? defaultResultTitle(runName, metrics) : given;
      Object.assign(found, { state: 'complete', title, metrics, completedAt: now, expiresAt: new Date(now.getTime() + quotas.resultRetentionMs) });
      await manager.save(found);
      await this.audit.record({ id: session.userId, email: null }, 'result.create', { type: 'result', id: found.id }, { runName, sessionId: session.id }, manager);
      saved = true;
      return found;
    });
    if (saved) this.lifecycle.resultSaved({ userId: session.userId, sessionId: session.id, resultId: result.id }, runName);
    return { resultId: result.id, url: `${this.config.publicUrl}/results/${result.id}` };
  }

  private checkName(name: string): string {
    try {
      return normaliseFileName(name);
    } catch (err) {
      if (err instanceof UploadNameError) throw new BadRequestException(err.message);
      throw err;
    }
  }

  private titleFrom(body: unknown, runName: string): string {
    if (body === null || body === undefined) return runName;
    if (typeof body !== 'object' || Array.isArray(body)) throw new BadRequestException('The body of complete must be a JSON object such as {"title": "My run"}.');
    const unknown = Object.keys(body).filter((k) => k !== 'title');
    if (unknown.length) throw new BadRequestException(`Unknown field "${unknown[0]}": only "title" may be sent.`);
    const title = (body as { title?: unknown }).title;
    if (title === undefined || title === null) return runName;
    if (typeof title !== 'string') throw new BadRequestException('title must be text.');
    const trimmed = title.trim();
    if (!trimmed) return runName;
    if (trimmed.length > MAX_TITLE) throw new BadRequestException(`title may have at most ${MAX_TITLE} characters.`);
    return trimmed;
  }

  /** The run's result, created on its first file. */
  private async runFor(session: SessionEntity, runName: string): Promise<ResultEntity> {
    await this.dataSource.query(
      `INSERT INTO results (user_id, trial_id, session_id, run_name, title) VALUES ($1, $2, $3, $4, $4) ON CONFLICT (session_id, run_name) DO NOTHING`,
      [session.userId, session.trialId, session.id, runName],
    );
    return this.dataSource.manager.findOneOrFail(ResultEntity, { where: { sessionId: session.id, runName } });
  }

  /** Streams the request body through the meter into the store; maps every way it can fail to a clear 4xx. */
  private async receive(upload: IncomingUpload, meter: UploadMeter, key: string, contentType: string): Promise<void> {
    const body = upload.body as Readable & { complete?: boolean };
    const cutOff = () => meter.destroy(new TruncatedUploadError(`The upload of ${upload.fileName} was cut off after ${meter.bytes} bytes (the client went away); nothing was saved.`));
    const onClose = () => {
      if (body.complete === false) cutOff();
    };
    body.on('aborted', cutOff);
    body.on('error', cutOff);
    body.on('close', onClose);
    // The store may wrap the body's error (the S3 uploader does): keep the original to answer with.
    let bodyError: unknown = null;
    meter.on('error', (e) => {
      bodyError = e;
      body.unpipe(meter);
    });
    body.pipe(meter);
    try {
      await this.store.put(key, meter, contentType);
    } catch (thrown) {
      await this.deleteQuietly(key);
      const err = bodyError ?? thrown;
      if (err instanceof UploadLimitError) throw new PayloadTooLargeException(err.message);
      if (err instanceof HttpException) throw err;
      if (body.complete === false || meter.destroyed) throw new TruncatedUploadError(`The upload of ${upload.fileName} did not arrive completely; nothing was saved.`);
      throw err;
    } finally {
      body.off('aborted', cutOff);
      body.off('error', cutOff);
      body.off('close', onClose);
    }
  }

  private async deleteQuietly(key: string): Promise<void> {
    try {
      await this.store.delete(key);
    } catch (err) {
      // The sweep removes objects the database does not know; say so, do not fail the request for it.
      this.logger.warn({ err, key }, 'Could not delete a stored upload; the artifact sweep will remove it');
    }
  }
}

/**
 * The one change a complete result accepts: its notebook.ipynb, from the session that saved it.
 * The notebook's save cell uploads the notebook as last written to disk, mid-run; the session's
 * stop-time save step then sends the executed notebook Jupyter has saved since.
 */
function executedNotebookReplacement(result: ResultEntity, sessionId: string, fileName: string): boolean {
  return fileName === 'notebook.ipynb' && result.sessionId === sessionId;
}

function defaultResultTitle(runName: string, metrics: unknown): string {
  const headline = resultHeadline(metrics);
  const what = [runDescription(metrics), headline?.short].filter(Boolean).join(', ');
  return (what ? `${runName}: ${what}` : runName).slice(0, MAX_TITLE);
}
