import { Module } from '@nestjs/common';
import { ArtifactsModule } from '../artifacts/artifacts.module';
import { RateLimitsModule } from '../rate-limits/rate-limits.module';
import { ResultsModule } from '../results/results.module';
import { SharingModule } from '../sharing/sharing.module';
import { PredictController } from './predict.controller';
import { PredictService } from './predict.service';

/** Try-it: photos classified by a result's own model, in a bounded pool of worker threads. */
@Module({
  imports: [ArtifactsModule, ResultsModule, SharingModule, RateLimitsModule],
  controllers: [PredictController],
  providers: [PredictService],
})
export class PredictModule {}
