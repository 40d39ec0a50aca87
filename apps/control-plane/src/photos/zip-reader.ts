import type { FileHandle } from 'node:fs/promises';
import { promisify } from 'node:util';
import { inflateRaw } from 'node:zlib';

const inflate = promisify(inflateRaw) as (input: Buffer, options: { maxOutputLength: number }) => Promise<Buffer>;

/** What a zip may hold before it is refused: entries, bytes of one file and of all of them unpacked. */
export interface ZipLimits {
  maxEntries: number;
  maxFileBytes: number;
  maxTotalBytes: number;
}

/** The archive as a whole cannot be read (not a zip, cut short, past a limit): the upload is refused. */
export class ZipError extends Error {}

/** One member of the archive as the central directory describes it. */
export interface ZipEntry {
  /** The path inside the archive, `/`-separated, as stored (checked by `safeEntryPath`). */
  name: string;
  directory: boolean;
  /** Unix symbolic link (external attributes S_IFLNK): never followed, never written. */
  symlink: boolean;
  encrypted: boolean;
  /** 0 stored, 8 deflated; anything else cannot be read. */
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

async function readAt(file: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await file.read(buffer, 0, length, position);
  if (bytesRead !== length) throw new ZipError('The zip file is cut short: upload it again.');
  return buffer;
}

/**
 * Reads a zip's central directory (the archive's own table of contents, at its end) without
 * trusting it: the entry count, every declared size and their sum are checked against the
 * limits before anything is unpacked, ZIP64 and split archives are refused (the size limit
 * keeps honest uploads far below 4 GiB), and `readEntry` stops inflating at the declared size,
 * so a zip bomb costs at most `maxFileBytes` of memory.
 */
export async function readZipDirectory(file: FileHandle, fileSize: number, limits: ZipLimits): Promise<ZipEntry[]> {
  if (fileSize < 22) throw new ZipError('This is not a zip file (it is too short to be one).');
  const tailLength = Math.min(fileSize, 22 + 0xffff);
  const tail = await readAt(file, fileSize - tailLength, tailLength);
  let end = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD && i + 22 + tail.readUInt16LE(i + 20) <= tail.length) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new ZipError('This is not a zip file (no zip directory at its end).');
  const disk = tail.readUInt16LE(end + 4);
  const count = tail.readUInt16LE(end + 10);
  const directorySize = tail.readUInt32LE(end + 12);
  const directoryOffset = tail.readUInt32LE(end + 16);
  if (disk !== 0) throw new ZipError('Split (multi-part) zip archives are not supported: make one .zip file.');
  if (count === 0xffff || directoryOffset === 0xffffffff) throw new ZipError('ZIP64 archives are not supported: make a plain .zip of the photos.');
  if (count > limits.maxEntries) throw new ZipError(`The zip holds ${count} entries; at most ${limits.maxEntries} are accepted.`);
  if (directoryOffset + directorySize > fileSize) throw new ZipError('The zip file is damaged (its directory points past its end).');

  const directory = await readAt(file, directoryOffset, directorySize);
  const entries: ZipEntry[] = [];
  let total = 0;
  let at = 0;
  for (let n = 0; n < count; n++) {
    if (at + 46 > directory.length || directory.readUInt32LE(at) !== CENTRAL) throw new ZipError('The zip file is damaged (its directory is unreadable).');
    const flags = directory.readUInt16LE(at + 8);
    const method = directory.readUInt16LE(at + 10);
    const compressedSize = directory.readUInt32LE(at + 20);
    const size = directory.readUInt32LE(at + 24);
    const nameLength = directory.readUInt16LE(at + 28);
    const extraLength = directory.readUInt16LE(at + 30);
    const commentLength = directory.readUInt16LE(at + 32);
    const madeBy = directory.readUInt16LE(at + 4) >> 8;
    const external = directory.readUInt32LE(at + 38);
    const localHeaderOffset = directory.readUInt32LE(at + 42);
    const name = directory.toString('utf8', at + 46, at + 46 + nameLength);
    at += 46 + nameLength + extraLength + commentLength;
    if (at > directory.length) throw new ZipError('The zip file is damaged (its directory is unreadable).');
    // Unix zips (made-by 3) keep the file mode in the high 16 bits of the external attributes.
    const symlink = madeBy === 3 && ((external >>> 16) & S_IFMT) === S_IFLNK;
    const directoryEntry = name.endsWith('/');
    if (!directoryEntry && !symlink) {
      total += size;
      if (total > limits.maxTotalBytes) throw new ZipError(`The photos in the zip add up to more than ${mib(limits.maxTotalBytes)} unpacked; upload fewer at a time.`);
    }
    entries.push({ name, directory: directoryEntry, symlink, encrypted: (flags & 1) === 1, method, compressedSize, size, localHeaderOffset });
  }
  return entries;
}

/** One file's bytes, inflated no further than its declared size (more is a damaged or hostile zip). */
export async function readZipEntry(file: FileHandle, entry: ZipEntry): Promise<Buffer> {
  const header = await readAt(file, entry.localHeaderOffset, 30);
  if (header.readUInt32LE(0) !== LOCAL) throw new ZipError(`The zip file is damaged (no data for ${entry.name}).`);
  const start = entry.localHeaderOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  const stored = await readAt(file, start, entry.compressedSize);
  if (entry.method === 0) {
    if (entry.compressedSize !== entry.size) throw new ZipError(`The zip file is damaged (${entry.name} has two sizes).`);
    return stored;
  }
  let bytes: Buffer;
  try {
    bytes = await inflate(stored, { maxOutputLength: Math.max(1, entry.size) });
  } catch (error) {
    if (error instanceof RangeError) throw new ZipError(`${entry.name} unpacks to more than the zip says it does: the zip is damaged or hostile.`);
    throw new ZipError(`The zip file is damaged (${entry.name} does not unpack).`);
  }
  if (bytes.length !== entry.size) throw new ZipError(`The zip file is damaged (${entry.name} unpacks to ${bytes.length} bytes, not ${entry.size}).`);
  return bytes;
}

export const mib = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MiB`;
