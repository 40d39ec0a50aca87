import { Transform, TransformCallback } from 'node:stream';

/** RFC 6455 §7.4.1: the endpoint is going away (a server restarting). Jupyter's client reconnects. */
export const GOING_AWAY = 1001;

/** A close frame as a server sends it (unmasked): 0x88, the length, the code, the reason. */
export function closeFrame(code: number, reason: string): Buffer {
  const text = Buffer.from(reason, 'utf8').subarray(0, 123);
  const frame = Buffer.alloc(4 + text.length);
  frame[0] = 0x88;
  frame[1] = 2 + text.length;
  frame.writeUInt16BE(code, 2);
  text.copy(frame, 4);
  return frame;
}

const HEAD_END = Buffer.from('\r\n\r\n');

/**
 * The server-to-browser half of a spliced WebSocket tunnel. Bytes pass through untouched, but it
 * knows where frames begin (it reads the HTTP 101 head, then each frame's header for its length),
 * so `goAway` can end the stream with a close frame of its own between two frames — never in the
 * middle of one of Jupyter's. Control frames may come between the fragments of a message, so any
 * frame boundary will do.
 */
export class WebSocketGoingAway extends Transform {
  /** Bytes of the HTTP answer to the upgrade seen so far (until its blank line). */
  private head: Buffer | null = Buffer.alloc(0);
  /** Not a 101: an ordinary HTTP answer (a refusal), which has no frames. */
  private refused = false;
  /** A frame header being read (it may be split across chunks). */
  private header = Buffer.alloc(0);
  /** Bytes left of the current frame's payload. */
  private payloadLeft = 0;
  private pending: Buffer | null = null;
  private done = false;

  /** Whether the next byte starts a frame (the upgrade was answered, no frame is half through). */
  get atFrameBoundary(): boolean {
    return this.head === null && !this.refused && this.header.length === 0 && this.payloadLeft === 0;
  }

  /** True when the upgrade was answered with 101 and frames flow. */
  get upgraded(): boolean {
    return this.head === null && !this.refused;
  }

  /**
   * Ends the stream with a close frame at the next frame boundary (at once if there is one).
   * Returns false when the upgrade was never answered with 101: there is nothing to close cleanly.
   */
  goAway(code = GOING_AWAY, reason = 'Trialhub is restarting; reconnect'): boolean {
    if (this.done) return true;
    if (!this.upgraded) return false;
    this.pending = closeFrame(code, reason);
    if (this.atFrameBoundary) this.finish();
    return true;
  }

  _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.done) return callback();
    let offset = 0;
    if (this.head) offset = this.readHead(chunk);
    if (this.refused) {
      this.push(chunk);
      return callback();
    }
    while (offset < chunk.length) {
      if (this.payloadLeft > 0) {
        const n = Math.min(this.payloadLeft, chunk.length - offset);
        this.payloadLeft -= n;
        offset += n;
        continue;
      }
      if (this.pending && this.header.length === 0) {
        // A frame ends here, and a close was asked for: what follows is not sent.
        this.push(chunk.subarray(0, offset));
        this.finish();
        return callback();
      }
      offset = this.readHeader(chunk, offset);
    }
    this.push(chunk);
    if (this.pending && this.atFrameBoundary) this.finish();
    callback();
  }

  private finish(): void {
    this.done = true;
    this.push(this.pending);
    this.push(null);
  }

  /** Reads the upgrade's answer up to its blank line; returns where frames begin in `chunk`. */
  private readHead(chunk: Buffer): number {
    const seen = this.head!.length;
    const head = Buffer.concat([this.head!, chunk]);
    const end = head.indexOf(HEAD_END);
    if (end < 0) {
      this.head = head.length > 16_384 ? null : head;
      if (!this.head) this.refused = true; // no sane answer to an upgrade is this long
      return chunk.length;
    }
    this.head = null;
    if (!/^HTTP\/1\.[01] 101\b/.test(head.subarray(0, 16).toString('latin1'))) this.refused = true;
    return end + HEAD_END.length - seen;
  }

  /** Reads (part of) a frame header from `offset`; once whole, the payload length is known. Returns the new offset. */
  private readHeader(chunk: Buffer, offset: number): number {
    const need = (h: Buffer) => {
      if (h.length < 2) return 2;
      const len7 = h[1] & 0x7f;
      const mask = h[1] & 0x80 ? 4 : 0;
      return 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + mask;
    };
    let header = this.header;
    while (offset < chunk.length) {
      header = Buffer.concat([header, chunk.subarray(offset, offset + 1)]);
      offset++;
      if (header.length === need(header)) {
        const len7 = header[1] & 0x7f;
        this.payloadLeft = len7 === 126 ? header.readUInt16BE(2) : len7 === 127 ? Number(header.readBigUInt64BE(2)) : len7;
        this.header = Buffer.alloc(0);
        return offset;
      }
    }
    this.header = header;
    return offset;
  }
}
