import { Module } from '@nestjs/common';
import { SessionsModule } from '../sessions/sessions.module';
import { ArtifactFiles } from './artifact-files';
import { ARTIFACT_STORE } from './artifact-store';
import { artifactStoreProvider } from './artifact-store.factory';
import { ArtifactSweep } from './artifact-sweep';
import { ResultRemover } from './result-remover';
import { UploadSessions } from './upload-session';
import { UploadsController } from './uploads.controller';
import { UploadsService } from './uploads.service';

/** The upload API, the artifact store (local folder or S3) and the sweep that keeps store and database in agreement. */
@Module({
  imports: [SessionsModule],
  controllers: [UploadsController],
  providers: [artifactStoreProvider, UploadsService, UploadSessions, ArtifactFiles, ArtifactSweep, ResultRemover],
  exports: [ARTIFACT_STORE, ArtifactFiles, ResultRemover, ArtifactSweep],
})
export class ArtifactsModule {}
