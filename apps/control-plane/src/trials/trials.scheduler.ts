import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AppConfig } from '../config/app-config';
import { TrialsService } from './trials.service';

/** Deadlines are data: every tick ends expired trials, sends one-hour warnings and admits from the waitlist. */
@Injectable()
export class TrialsScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('TrialsScheduler');
  private running = false;

  constructor(
    private readonly trials: TrialsService,
    private readonly registry: SchedulerRegistry,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.registry.addInterval('trials', setInterval(() => void this.tick(), this.config.schedulerIntervalMs));
  }

  onApplicationShutdown(): void {
    if (this.registry.doesExist('interval', 'trials')) this.registry.deleteInterval('trials');
  }

  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await this.trials.expireDue();
      await this.trials.warnExpiring();
      await this.trials.admitWaitlisted();
    } catch (err) {
      this.logger.error({ err }, 'Trial deadline tick failed; retrying next tick');
    } finally {
      this.running = false;
    }
  }
}
