import { createHash, Hash } from 'node:crypto';
import { Transform, TransformCallback } from 'node:stream';

/** How many leading bytes are kept for content sniffing. */
const HEAD_BYTES = 4096;

/** Why a streamed body was cut off; the uploads service turns these into 4xx answers. */
export class UploadLimitError extends Error {
  constructor(message: string, readonly limitBytes: number) {
    super(message);
  }
}

export interface UploadMeterOptions {
  /** Bytes this file may have at most (per-file limit, or what is left of the user's storage). */
  limitBytes: number;
  /** Message when the limit is passed. */
  limitMessage: string;
  /** Keep the whole body in memory up to this size (to parse JSON); 0 keeps nothing. */
  keepUpTo: number;
}

/**
 * Passes a body through while counting it, hashing it (SHA-256) and keeping its first
 * bytes; fails the stream as soon as the limit is passed, so an oversized upload is never
 * read to its end.
 */
export class UploadMeter extends Transform {
  bytes = 0;
  private readonly hash: Hash = createHash('sha256');
  private readonly kept: Buffer[] = [];
  private keptBytes = 0;
  private keeping: boolean;
  digest: string | null = null;

  constructor(private readonly options: UploadMeterOptions) {
    super();
    this.keeping = options.keepUpTo > 0;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.options.limitBytes) {
      callback(new UploadLimitError(this.options.limitMessage, this.options.limitBytes));
      return;
    }
    this.hash.update(chunk);
    if (this.keeping || this.keptBytes < HEAD_BYTES) {
      this.kept.push(chunk);
      this.keptBytes += chunk.length;
      if (this.keeping && this.keptBytes > this.options.keepUpTo) this.keeping = false;
    }
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.digest = this.hash.digest('hex');
    callback();
  }

  /** The first bytes of the body. */
  head(): Buffer {
    return Buffer.concat(this.kept).subarray(0, HEAD_BYTES);
  }

  /** The whole body if it was small enough to keep, else null. */
  whole(): Buffer | null {
    return this.keeping ? Buffer.concat(this.kept) : null;
  }
}
