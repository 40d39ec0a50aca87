import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Counter, Gauge, Histogram } from 'prom-client';
import { DataSource } from 'typeorm';
import { SESSION_STATES, SessionState, SLOT_HOLDING_STATES } from '@trialhub/contracts';
import { SessionEntity } from '../database/entities';
import { MetricsService } from '../metrics/metrics.service';

/** Prometheus metrics of sessions, queues, trials and GPU slots (gauges read PostgreSQL at scrape time). */
@Injectable()
export class SessionMetrics {
  private readonly launchSeconds: Histogram<'profile'>;
  private readonly failures: Counter<'profile' | 'reason'>;
  readonly teardownLag: Histogram<string>;

  constructor(metrics: MetricsService, @InjectDataSource() dataSource: DataSource) {
    const registers = [metrics.registry];
    this.launchSeconds = new Histogram({
      name: 'trialhub_session_launch_seconds',
      help: 'Time from a slot being granted to the notebook answering',
      labelNames: ['profile'],
      buckets: [1, 2, 5, 10, 20, 30, 60, 120, 300, 600],
      registers,
    });
    this.failures = new Counter({ name: 'trialhub_session_failures_total', help: 'Sessions that failed, by reason', labelNames: ['profile', 'reason'], registers });
    this.teardownLag = new Histogram({
      name: 'trialhub_trial_teardown_lag_seconds',
      help: 'Time from a trial expiring to its last resource being deleted',
      buckets: [1, 5, 10, 30, 60, 120, 300, 900],
      registers,
    });
    new Gauge({
      name: 'trialhub_sessions',
      help: 'Sessions by state and profile',
      labelNames: ['state', 'profile'],
      registers,
      async collect() {
        const rows: Array<{ state: string; profile_name: string; n: number }> = await dataSource.query(
          `SELECT state, profile_name, count(*)::int AS n FROM sessions WHERE state <> $1 OR stopped_at > now() - interval '1 day' GROUP BY 1, 2`,
          ['stopped' satisfies SessionState],
        );
        this.reset();
        for (const r of rows) if ((SESSION_STATES as readonly string[]).includes(r.state)) this.set({ state: r.state, profile: r.profile_name }, r.n);
      },
    });
    new Gauge({
      name: 'trialhub_session_queue_length',
      help: 'Queued sessions by profile',
      labelNames: ['profile'],
      registers,
      async collect() {
        const rows: Array<{ name: string; n: number }> = await dataSource.query(
          `SELECT p.name, count(s.id)::int AS n FROM profiles p LEFT JOIN sessions s ON s.profile_name = p.name AND s.state = $1 GROUP BY p.name`,
          ['queued' satisfies SessionState],
        );
        this.reset();
        for (const r of rows) this.set({ profile: r.name }, r.n);
      },
    });
    new Gauge({
      name: 'trialhub_gpu_slots',
      help: 'GPU slots by profile: total and used',
      labelNames: ['profile', 'kind'],
      registers,
      async collect() {
        const rows: Array<{ name: string; slots: number; gpus: number; used: number }> = await dataSource.query(
          `SELECT p.name, p.slots, p.gpus, count(s.id)::int AS used FROM profiles p
           LEFT JOIN sessions s ON s.profile_name = p.name AND s.state = ANY($1::text[]) GROUP BY p.name, p.slots, p.gpus`,
          [SLOT_HOLDING_STATES],
        );
        this.reset();
        for (const r of rows) {
          this.set({ profile: r.name, kind: 'total' }, r.slots * r.gpus);
          this.set({ profile: r.name, kind: 'used' }, r.used * r.gpus);
        }
      },
    });
    new Gauge({
      name: 'trialhub_trials',
      help: 'Trials by state',
      labelNames: ['state'],
      registers,
      async collect() {
        const rows: Array<{ state: string; n: number }> = await dataSource.query(`SELECT state, count(*)::int AS n FROM trials GROUP BY state`);
        this.reset();
        for (const r of rows) this.set({ state: r.state }, r.n);
      },
    });
  }

  launched(s: SessionEntity): void {
    if (s.startedAt && s.readyAt) this.launchSeconds.observe({ profile: s.profileName }, (s.readyAt.getTime() - s.startedAt.getTime()) / 1000);
  }

  failed(s: SessionEntity, reason: string): void {
    this.failures.inc({ profile: s.profileName, reason });
  }
}
