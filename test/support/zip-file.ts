import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';

/** One member of a zip the tests build, honest or hostile. */
export interface ZipMember {
  name: string;
  data?: Buffer;
  /** 8 (deflate, the default) or 0 (stored). */
  method?: 0 | 8;
  /** A Unix symbolic link whose target is `data`. */
  symlink?: boolean;
  /** The uncompressed size the directory claims (a bomb lies here). */
  declaredSize?: number;
  encrypted?: boolean;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A zip file as `zip` and Finder write them (local headers, central directory, end record), with room to lie. */
export function zipFile(members: ZipMember[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const m of members) {
    const data = m.data ?? Buffer.alloc(0);
    const method = m.name.endsWith('/') ? 0 : (m.method ?? 8);
    const packed = method === 8 ? deflateRawSync(data) : data;
    const name = Buffer.from(m.name, 'utf8');
    const size = m.declaredSize ?? data.length;
    const crc = crc32(data);
    const flags = 0x0800 | (m.encrypted ? 1 : 0);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, packed);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    const mode = m.symlink ? 0o120777 : m.name.endsWith('/') ? 0o040755 : 0o100644;
    central.writeUInt32LE((((mode << 16) | (m.name.endsWith("/") ? 0x10 : 0)) >>> 0), 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += 30 + name.length + packed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(members.length, 8);
  end.writeUInt16LE(members.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** Members `<top>/<class>/<photo>` of the first `perClass` photos of each class folder under `imagesDir` (a zipped folder, as Finder makes it). */
export function classFolderMembers(imagesDir: string, perClass: number, top = 'my-photos'): ZipMember[] {
  const members: ZipMember[] = [{ name: `${top}/` }];
  for (const className of readdirSync(imagesDir).sort()) {
    members.push({ name: `${top}/${className}/` });
    for (const file of readdirSync(join(imagesDir, className)).sort().slice(0, perClass)) {
      members.push({ name: `${top}/${className}/${file}`, data: readFileSync(join(imagesDir, className, file)) });
    }
  }
  return members;
}
