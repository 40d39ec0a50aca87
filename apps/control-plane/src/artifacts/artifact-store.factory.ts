import { Logger, Provider } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { ARTIFACT_STORE, ArtifactStore } from './artifact-store';
import { LocalArtifactStore } from './local-artifact-store';

/** Builds the store chosen by ARTIFACT_STORE and checks it is usable before the server starts. */
export async function createArtifactStore(config: AppConfig): Promise<ArtifactStore> {
  const { store, dir, s3 } = config.artifacts;
  // The S3 SDK is loaded only when it is the store (it is a fair part of a start otherwise).
  const instance: ArtifactStore = store === 's3' ? new (await import('./s3-artifact-store')).S3ArtifactStore({ ...s3, bucket: s3.bucket! }) : new LocalArtifactStore(dir);
  try {
    await instance.init();
  } catch (err) {
    const where = store === 's3' ? `S3 bucket "${s3.bucket}" at ${s3.endpoint ?? 'AWS'}` : `folder ${dir}`;
    throw new Error(`The artifact store (${where}) cannot be used: ${(err as Error).message}`);
  }
  new Logger('Artifacts').log(`Artifacts are stored in ${store === 's3' ? `S3 bucket ${s3.bucket}` : dir}`);
  return instance;
}

export const artifactStoreProvider: Provider = { provide: ARTIFACT_STORE, inject: [AppConfig], useFactory: createArtifactStore };
