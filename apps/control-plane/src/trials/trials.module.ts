import { Module } from '@nestjs/common';
import { TrialsController } from './trials.controller';
import { TrialsScheduler } from './trials.scheduler';
import { TrialsService } from './trials.service';

@Module({ controllers: [TrialsController], providers: [TrialsService, TrialsScheduler], exports: [TrialsService] })
export class TrialsModule {}
