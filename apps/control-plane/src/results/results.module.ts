import { Module } from '@nestjs/common';
import { ArtifactsModule } from '../artifacts/artifacts.module';
import { ResultsController } from './results.controller';
import { ResultsService } from './results.service';

/** The owner's view of saved results: list, rename, download, delete. */
@Module({ imports: [ArtifactsModule], controllers: [ResultsController], providers: [ResultsService], exports: [ResultsService] })
export class ResultsModule {}
