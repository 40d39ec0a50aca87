import type { Readable } from 'node:stream';

export const ARTIFACT_STORE = Symbol('ARTIFACT_STORE');

/** One object in the store, as a listing sees it. */
export interface StoredObject {
  key: string;
  size: number;
  modifiedAt: Date;
}

/** The stored object does not exist (deleted, or lost behind the database's back). */
export class ArtifactMissingError extends Error {
  constructor(readonly key: string) {
    super(`The stored file ${key} is missing.`);
  }
}

/**
 * Where artifact bytes live: a local folder or S3-compatible object storage. Keys are
 * chosen by the caller (`results/<resultId>/<uuid>`), never by users.
 */
export interface ArtifactStore {
  readonly kind: 'local' | 's3';
  /** Checks the store can be used (creates the folder or bucket when missing). */
  init(): Promise<void>;
  /** Streams `body` to `key`. The object appears only once complete; on any error nothing is left behind. */
  put(key: string, body: Readable, contentType: string): Promise<void>;
  /** A stream of the object's bytes; rejects with ArtifactMissingError when there is none. */
  get(key: string): Promise<Readable>;
  /** Idempotent: deleting a missing object is not an error. */
  delete(key: string): Promise<void>;
  /** Every object, including unfinished temporary ones a crash may have left. */
  list(): AsyncIterable<StoredObject>;
}
