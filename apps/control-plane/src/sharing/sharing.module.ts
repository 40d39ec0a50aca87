import { Module } from '@nestjs/common';
import { ArtifactsModule } from '../artifacts/artifacts.module';
import { ResultsModule } from '../results/results.module';
import { ShareLinksController } from './share-links.controller';
import { ShareLinksService } from './share-links.service';
import { SharedApiController } from './shared-api.controller';
import { SharedPageController } from './shared-page.controller';
import { SharedResultsService } from './shared-results.service';
import { ShareViewCounter } from './share-view-counter';

/** Share links: the owner's API, and the public page and JSON behind a link. */
@Module({
  imports: [ArtifactsModule, ResultsModule],
  controllers: [ShareLinksController, SharedPageController, SharedApiController],
  providers: [ShareLinksService, SharedResultsService, ShareViewCounter],
  exports: [SharedResultsService],
})
export class SharingModule {}
