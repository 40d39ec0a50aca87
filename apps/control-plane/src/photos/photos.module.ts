import { Module } from '@nestjs/common';
import { RateLimitsModule } from '../rate-limits/rate-limits.module';
import { SessionsModule } from '../sessions/sessions.module';
import { OwnPhotosController } from './own-photos.controller';
import { OwnPhotosService } from './own-photos.service';

/** Your own photos: a zip of class folders into a session's workspace, for the notebook to train on. */
@Module({
  imports: [SessionsModule, RateLimitsModule],
  controllers: [OwnPhotosController],
  providers: [OwnPhotosService],
})
export class PhotosModule {}
