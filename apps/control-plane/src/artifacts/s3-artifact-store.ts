import {
  CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, HeadBucketCommand, ListObjectsV2Command, S3Client, S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Logger } from '@nestjs/common';
import type { Readable } from 'node:stream';
import { ArtifactMissingError, ArtifactStore, StoredObject } from './artifact-store';

export interface S3StoreOptions {
  endpoint: string | null;
  bucket: string;
  region: string;
  accessKeyId: string | null;
  secretAccessKey: string | null;
  forcePathStyle: boolean;
}

/** Every key lives under this prefix, so the sweep only ever touches our own objects. */
const PREFIX = 'results/';

const notFound = (err: unknown) => err instanceof S3ServiceException && (err.$metadata?.httpStatusCode === 404 || ['NoSuchKey', 'NotFound', 'NoSuchBucket'].includes(err.name));

/**
 * S3-compatible object storage (AWS SDK v3). Uploads are streamed as multipart uploads
 * (`@aws-sdk/lib-storage`): the object exists only after the final "complete" call, and a
 * failed body aborts the upload, so partial objects are never visible.
 */
export class S3ArtifactStore implements ArtifactStore {
  readonly kind = 's3' as const;
  private readonly logger = new Logger('S3ArtifactStore');
  readonly client: S3Client;

  constructor(private readonly options: S3StoreOptions) {
    this.client = new S3Client({
      endpoint: options.endpoint ?? undefined,
      region: options.region,
      forcePathStyle: options.forcePathStyle,
      credentials: options.accessKeyId && options.secretAccessKey ? { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey } : undefined,
      // Checksums only where S3 demands them: streamed bodies then go as plain parts, which
      // every S3-compatible server understands (aws-chunked trailers are not universal).
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async init(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.options.bucket }));
    } catch (err) {
      if (!notFound(err)) throw err;
      this.logger.warn(`Bucket ${this.options.bucket} does not exist; creating it`);
      await this.client.send(new CreateBucketCommand({ Bucket: this.options.bucket }));
    }
  }

  private check(key: string): string {
    if (!key.startsWith(PREFIX)) throw new Error(`Refusing storage key outside ${PREFIX}: ${key}`);
    return key;
  }

  async put(key: string, body: Readable, contentType: string): Promise<void> {
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.options.bucket, Key: this.check(key), Body: body, ContentType: contentType },
      queueSize: 2,
      partSize: 8 * 1024 * 1024,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (err) {
      // The SDK aborts the multipart upload; a single-part put never completed. Either way nothing is stored.
      body.destroy();
      throw err;
    }
  }

  async get(key: string): Promise<Readable> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: this.check(key) }));
      return out.Body as Readable;
    } catch (err) {
      if (notFound(err)) throw new ArtifactMissingError(key);
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: this.check(key) }));
  }

  async *list(): AsyncIterable<StoredObject> {
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.options.bucket, Prefix: PREFIX, ContinuationToken: token }));
      for (const o of page.Contents ?? []) if (o.Key) yield { key: o.Key, size: o.Size ?? 0, modifiedAt: o.LastModified ?? new Date(0) };
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }
}
