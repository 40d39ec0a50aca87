import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { TrainerInputError } from './errors';

/** Parses the seed's bottleneck format: one line of comma-separated floats. */
export function parseBottleneck(text: string, source: string): Float32Array {
  const parts = text.trim().split(',');
  if (parts.length === 0 || (parts.length === 1 && parts[0] === '')) {
    throw new TrainerInputError(`${source}: the bottleneck file is empty.`);
  }
  const vector = new Float32Array(parts.length);
  for (let i = 0; i < parts.length; i++) {
    const value = Number(parts[i]);
    if (parts[i].trim() === '' || !Number.isFinite(value)) {
      throw new TrainerInputError(`${source}: value ${i + 1} ("${parts[i].slice(0, 20)}") is not a number.`);
    }
    vector[i] = value;
  }
  return vector;
}

export async function readBottleneck(path: string): Promise<Float32Array> {
  return parseBottleneck(await readFile(path, 'utf8'), path);
}

export function formatBottleneck(vector: ArrayLike<number>): string {
  return Array.from(vector, (v) => String(v)).join(',');
}

/** Writes atomically (temp file + rename) so a killed run never leaves a half-written cache entry. */
export async function writeBottleneck(path: string, vector: ArrayLike<number>): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, formatBottleneck(vector));
  await rename(temp, path);
}
