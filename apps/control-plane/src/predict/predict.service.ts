import { HttpException, HttpStatus, Inject, Injectable, NotFoundException, OnModuleDestroy, PayloadTooLargeException, UnprocessableEntityException, UnsupportedMediaTypeException } from '@nestjs/common';
import type { Request } from 'express';
import { cpus } from 'node:os';
import { ARTIFACT_STORE, ArtifactStore } from '../artifacts/artifact-store';
import type { AuthUser } from '../auth/auth-user';
import type { ArtifactEntity } from '../database/entities';
import { RateLimitService } from '../rate-limits/rate-limit.service';
import { ResultsService } from '../results/results.service';
import { SharedResultsService } from '../sharing/shared-results.service';
import { ClassifierModel, modelKey, NoModelError, readFullModel } from './model-files';
import { MAX_PHOTO_BYTES, PhotoError, photoPixels } from './photo';
import { PoolBusyError, PredictWorkerPool } from './worker-pool';

export interface Prediction {
  label: string;
  confidence: number;
  scores: Record<string, number>;
  backend: string;
}

const MODELS_CACHED = 3;
const PHOTO_TYPES = /^(image\/(jpeg|png|webp)|application\/octet-stream)$/i;

/**
 * Try-it: a photo classified by a result's own model (its full-model export), photos never
 * kept. Decoding runs in sharp's thread pool, the model in a small pool of worker threads
 * (at most one per core but one, and at least one), behind a bounded queue and a per-address
 * rate limit, so a burst of photos cannot take the API down with it.
 */
@Injectable()
export class PredictService implements OnModuleDestroy {
  private readonly pool = new PredictWorkerPool(Math.max(1, Math.min(2, cpus().length - 1)), 32);
  private readonly models = new Map<string, Promise<ClassifierModel>>();

  constructor(
    @Inject(ARTIFACT_STORE) private readonly store: ArtifactStore,
    private readonly results: ResultsService,
    private readonly shared: SharedResultsService,
    private readonly limits: RateLimitService,
  ) {}

  async forShare(token: string, req: Request): Promise<Prediction> {
    await this.limits.attempt('prediction', clientAddress(req), '');
    const found = await this.shared.resolve(token);
    // Revoked, expired and unknown links alike: nothing to predict with.
    if (!found) throw new NotFoundException('This link does not work: it was revoked or has expired, or never existed.');
    return this.predict(found.result.id, found.artifacts, req);
  }

  async forOwner(user: AuthUser, resultId: string, req: Request): Promise<Prediction> {
    await this.limits.attempt('prediction', clientAddress(req), '');
    const result = await this.results.findOwned(user, resultId);
    return this.predict(result.id, await this.results.artifactsOf(result.id), req);
  }

  /**
   * Photos are decoded one at a time: the model pool takes them one by one anyway, and a burst of
   * 20 decoded at once would hold every core (sharp's threads) while the API waits.
   */
  private decoding: Promise<unknown> = Promise.resolve();
  private decodeInTurn<T>(decode: () => Promise<T>): Promise<T> {
    const turn = this.decoding.then(decode, decode);
    this.decoding = turn.catch(() => undefined);
    return turn;
  }

  onModuleDestroy(): Promise<void> {
    return this.pool.close();
  }

  private async predict(resultId: string, artifacts: ArtifactEntity[], req: Request): Promise<Prediction> {
    const type = String(req.headers['content-type'] ?? '').split(';')[0].trim();
    if (!PHOTO_TYPES.test(type)) throw new UnsupportedMediaTypeException(`Send the photo itself as the request body, as image/jpeg, image/png or image/webp (got "${type || 'none'}").`);
    const model = await this.model(resultId, artifacts);
    const bytes = await readPhoto(req);
    let pixels: Float32Array;
    try {
      pixels = await this.decodeInTurn(() => photoPixels(bytes, model.inputSize, model.inputRange));
    } catch (err) {
      if (err instanceof PhotoError) throw new UnprocessableEntityException(err.message);
      throw err;
    }
    let ran: { scores: number[]; backend: string; ms: number };
    try {
      ran = await this.pool.run({ modelKey: model.key, loadModel: async () => (await this.model(resultId, artifacts)).payload, pixels, size: model.inputSize });
    } catch (err) {
      if (err instanceof PoolBusyError) throw new HttpException(err.message, HttpStatus.SERVICE_UNAVAILABLE);
      throw err;
    }
    const scores = Object.fromEntries(model.labels.map((l, i) => [l, ran.scores[i] ?? 0]));
    let best = 0;
    for (let i = 1; i < model.labels.length; i++) if ((ran.scores[i] ?? 0) > (ran.scores[best] ?? 0)) best = i;
    return { label: model.labels[best], confidence: ran.scores[best] ?? 0, scores, backend: ran.backend };
  }

  /** The result's model, read once per version and kept for the next photos. */
  private model(resultId: string, artifacts: ArtifactEntity[]): Promise<ClassifierModel> {
    const key = modelKey(resultId, artifacts);
    let loading = this.models.get(key);
    if (!loading) {
      loading = readFullModel(this.store, resultId, artifacts).catch((err) => {
        this.models.delete(key);
        if (err instanceof NoModelError) throw new UnprocessableEntityException(err.message);
        throw err;
      });
      this.models.set(key, loading);
      while (this.models.size > MODELS_CACHED) this.models.delete(this.models.keys().next().value!);
    }
    return loading;
  }
}

function clientAddress(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

/** The raw body, at most MAX_PHOTO_BYTES (413 beyond, checked as it arrives). */
async function readPhoto(req: Request): Promise<Buffer> {
  const tooLarge = () => new PayloadTooLargeException(`The photo is larger than ${MAX_PHOTO_BYTES / 1024 / 1024} MiB; send a smaller one.`);
  if (Number(req.headers['content-length'] ?? 0) > MAX_PHOTO_BYTES) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_PHOTO_BYTES) {
      req.resume();
      throw tooLarge();
    }
    chunks.push(chunk);
  }
  if (!size) throw new UnprocessableEntityException('The request had no photo in it: send the photo itself as the body.');
  return Buffer.concat(chunks);
}
