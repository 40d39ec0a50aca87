import { closeSync, openSync, readSync, statSync } from 'node:fs';

/** The last `lines` non-empty lines of a log file (reads at most the last 16 KiB), or '' when there is none. */
export function logTail(file: string, lines = 15): string {
  let fd: number | undefined;
  try {
    const size = statSync(file).size;
    const length = Math.min(size, 16 * 1024);
    const buffer = Buffer.alloc(length);
    fd = openSync(file, 'r');
    readSync(fd, buffer, 0, length, size - length);
    return buffer
      .toString('utf8')
      .split('\n')
      .map((l) => l.trimEnd())
      .filter(Boolean)
      .slice(-lines)
      .join('\n');
  } catch {
    return '';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
