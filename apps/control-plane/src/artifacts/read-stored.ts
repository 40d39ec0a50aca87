import type { ArtifactStore } from './artifact-store';

/** Reads a whole stored object into memory, refusing objects larger than `limitBytes` (returns null then). */
export async function readStored(store: ArtifactStore, key: string, limitBytes: number): Promise<Buffer | null> {
  const stream = await store.get(key);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limitBytes) {
      stream.destroy();
      return null;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
