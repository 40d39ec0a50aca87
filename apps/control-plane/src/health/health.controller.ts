import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Public } from '../auth/public.decorator';
import { GracefulShutdown } from './graceful-shutdown';

const READY_TIMEOUT_MS = 2000;

@ApiTags('health')
@Controller()
export class HealthController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly shutdown: GracefulShutdown,
  ) {}

  /** The process is up (also while it shuts down: a replica draining is not a failed one). */
  @Public()
  @Get('healthz')
  health() {
    return { status: 'ok' };
  }

  /**
   * The process can serve: its database answers, within a short time (a pool waiting on a
   * restarting server must not hold the probe for its whole connection timeout), and it is not
   * shutting down (load balancers should stop sending it new connections).
   */
  @Public()
  @Get('readyz')
  async ready() {
    if (this.shutdown.draining) throw new ServiceUnavailableException('Not ready: this replica is shutting down; another one serves');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timed out')), READY_TIMEOUT_MS);
    });
    try {
      await Promise.race([this.dataSource.query('SELECT 1'), timedOut]);
      return { status: 'ok', database: 'ok' };
    } catch {
      throw new ServiceUnavailableException('Not ready: the database does not answer');
    } finally {
      clearTimeout(timer);
    }
  }
}
