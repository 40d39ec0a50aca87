import { describe, expect, it } from 'vitest';
import { closeFrame, GOING_AWAY, WebSocketGoingAway } from './websocket-going-away';

/** A server frame (unmasked) with a payload of `size` bytes, in the 7-, 16- or 64-bit length form. */
function frame(size: number, fill: number, masked = false): Buffer {
  const len = size < 126 ? Buffer.from([size | (masked ? 0x80 : 0)]) : size < 65536 ? Buffer.from([126 | (masked ? 0x80 : 0), size >> 8, size & 0xff]) : Buffer.concat([Buffer.from([127 | (masked ? 0x80 : 0)]), (() => { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt(size)); return b; })()]);
  return Buffer.concat([Buffer.from([0x81]), len, masked ? Buffer.from([1, 2, 3, 4]) : Buffer.alloc(0), Buffer.alloc(size, fill)]);
}

const HEAD = Buffer.from('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
const FRAMES = [frame(5, 1), frame(0, 2), frame(300, 3), frame(70_000, 4), frame(125, 5, true), frame(126, 6)];
const STREAM = Buffer.concat([HEAD, ...FRAMES]);
/** Where each frame starts, and the end of the stream. */
const BOUNDARIES = FRAMES.reduce((at, f) => [...at, at[at.length - 1] + f.length], [HEAD.length]);

/** Inside the 70,000-byte payload, chunks are large whatever `chunk` says (1-byte writes of it take seconds). */
const BIG = { from: BOUNDARIES[3] + 20, to: BOUNDARIES[4] - 20 };

/** Writes `STREAM` in chunks of `chunk` bytes, calling goAway after `cut` bytes; returns what came out. */
function run(cut: number, chunk: number): { out: Buffer; accepted: boolean } {
  const frames = new WebSocketGoingAway();
  const out: Buffer[] = [];
  frames.on('data', (b: Buffer) => out.push(b));
  let accepted = true;
  const write = (from: number, to: number) => {
    for (let i = from, step = chunk; i < to; i += step) {
      step = i > BIG.from && i < BIG.to ? 4096 : chunk;
      frames.write(STREAM.subarray(i, Math.min(i + step, to)));
    }
  };
  write(0, cut);
  accepted = frames.goAway();
  write(cut, STREAM.length);
  return { out: Buffer.concat(out), accepted };
}

describe('WebSocketGoingAway', () => {
  const close = closeFrame(GOING_AWAY, 'Trialhub is restarting; reconnect');

  it('is a close frame with code 1001 and the reason', () => {
    expect(close[0]).toBe(0x88);
    expect(close[1]).toBe(close.length - 2);
    expect(close.readUInt16BE(2)).toBe(1001);
    expect(close.subarray(4).toString()).toBe('Trialhub is restarting; reconnect');
  });

  it('passes frames through untouched, and closes at the first frame boundary after the request, however the bytes are chunked', () => {
    // Around every boundary (inside the headers of each length form too), and inside payloads.
    const cuts = [...new Set(BOUNDARIES.flatMap((b) => [b - 1, b, b + 1, b + 2, b + 3, b + 9, b + 11]).concat([HEAD.length + 100, STREAM.length - 40_000]))].filter((c) => c >= HEAD.length && c <= STREAM.length);
    for (const chunk of [1, 3, 7, 64, 1000, STREAM.length]) {
      for (const cut of cuts) {
        const boundary = BOUNDARIES.find((b) => b >= cut)!;
        const { out, accepted } = run(cut, chunk);
        expect(accepted).toBe(true);
        expect(out.equals(Buffer.concat([STREAM.subarray(0, boundary), close])), `chunk ${chunk}, cut ${cut}`).toBe(true);
      }
    }
  });

  it('has nothing to close before the upgrade is answered, nor when it was refused', () => {
    expect(run(10, 4).accepted).toBe(false);
    const refused = new WebSocketGoingAway();
    const out: Buffer[] = [];
    refused.on('data', (b: Buffer) => out.push(b));
    const answer = Buffer.from('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
    refused.write(answer);
    expect(refused.goAway()).toBe(false);
    expect(Buffer.concat(out).equals(answer)).toBe(true);
  });
});
