import { Writable } from 'node:stream';

/** A stream that parses each JSON line written to it (a logger's output) into `lines`. */
export function jsonLinesSink(lines: Array<Record<string, any>>): Writable {
  return new Writable({
    write: (chunk, _enc, done) => {
      lines.push(...String(chunk).trim().split('\n').map((l) => JSON.parse(l)));
      done();
    },
  });
}
