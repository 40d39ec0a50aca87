import { Transform, TransformCallback } from 'node:stream';

/**
 * Removes every occurrence of a secret from a byte stream without buffering it: only the
 * last `secret.length - 1` bytes are held back, in case the secret spans two chunks.
 * Jupyter writes its token into the pages it renders (`data-jupyter-api-token`, the logo's
 * `?token=` link); behind the proxy the browser must never see it.
 */
export class TokenScrubber extends Transform {
  private held = Buffer.alloc(0);
  private readonly secret: Buffer;

  constructor(secret: string) {
    super();
    this.secret = Buffer.from(secret);
  }

  _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const data = this.scrub(this.held.length ? Buffer.concat([this.held, chunk]) : chunk);
    const keep = Math.min(data.length, this.secret.length - 1);
    this.held = Buffer.from(data.subarray(data.length - keep));
    if (data.length > keep) this.push(data.subarray(0, data.length - keep));
    done();
  }

  _flush(done: TransformCallback): void {
    if (this.held.length) this.push(this.scrub(this.held));
    done();
  }

  private scrub(data: Buffer): Buffer {
    let at = data.indexOf(this.secret);
    if (at < 0) return data;
    const parts: Buffer[] = [];
    let from = 0;
    while (at >= 0) {
      parts.push(data.subarray(from, at));
      from = at + this.secret.length;
      at = data.indexOf(this.secret, from);
    }
    parts.push(data.subarray(from));
    return Buffer.concat(parts);
  }
}
