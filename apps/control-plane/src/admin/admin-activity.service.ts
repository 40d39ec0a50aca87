import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ACTIVE_SESSION_STATES } from '@trialhub/contracts';
import type { AuthUser } from '../auth/auth-user';
import { SessionsService } from '../sessions/sessions.service';

/** What is running, what happened, and how much was used. */
@Injectable()
export class AdminActivityService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly sessions: SessionsService,
  ) {}

  /** Every running and queued session with owner, profile, node and age. */
  async liveSessions() {
    const rows: Array<Record<string, any>> = await this.dataSource.query(
      `SELECT s.id, s.state, s.profile_name, s.node, s.reason, s.created_at, s.ready_at, s.last_activity_at, u.email, u.id AS user_id
       FROM sessions s JOIN users u ON u.id = s.user_id
       WHERE s.state = ANY($1::text[]) ORDER BY s.created_at`,
      [ACTIVE_SESSION_STATES],
    );
    const now = Date.now();
    return rows.map((r) => ({
      id: r.id,
      state: r.state,
      profile: r.profile_name,
      node: r.node,
      reason: r.reason,
      owner: { id: r.user_id, email: r.email },
      createdAt: new Date(r.created_at).toISOString(),
      ageSeconds: Math.round((now - new Date(r.created_at).getTime()) / 1000),
      lastActivityAt: r.last_activity_at ? new Date(r.last_activity_at).toISOString() : null,
    }));
  }

  forceStop(admin: AuthUser, id: string) {
    return this.sessions.stop(admin, id, 'admin');
  }

  /** Per day: trials started, sessions launched and GPU-hours per profile. */
  async usage(days: number) {
    const rows: Array<{ day: string; profile: string; sessions: number; gpu_hours: number }> = await this.dataSource.query(
      `WITH days AS (SELECT generate_series(date_trunc('day', now()) - ($1::int - 1) * interval '1 day', date_trunc('day', now()), interval '1 day') AS day)
       SELECT to_char(d.day, 'YYYY-MM-DD') AS day, p.name AS profile,
         (SELECT count(*)::int FROM sessions s WHERE s.profile_name = p.name AND s.created_at >= d.day AND s.created_at < d.day + interval '1 day') AS sessions,
         (SELECT COALESCE(sum(p.gpus * EXTRACT(EPOCH FROM (LEAST(COALESCE(s.stopped_at, now()), d.day + interval '1 day') - GREATEST(s.started_at, d.day))) / 3600.0), 0)::float
            FROM sessions s WHERE s.profile_name = p.name AND s.started_at IS NOT NULL AND s.started_at < d.day + interval '1 day' AND COALESCE(s.stopped_at, now()) > d.day) AS gpu_hours
       FROM days d CROSS JOIN profiles p ORDER BY d.day, p.name`,
      [days],
    );
    const trials: Array<{ day: string; n: number }> = await this.dataSource.query(
      `SELECT to_char(date_trunc('day', activated_at), 'YYYY-MM-DD') AS day, count(*)::int AS n FROM trials
       WHERE activated_at >= date_trunc('day', now()) - ($1::int - 1) * interval '1 day' GROUP BY 1`,
      [days],
    );
    const trialsByDay = new Map(trials.map((t) => [t.day, t.n]));
    const byDay = new Map<string, { day: string; trialsStarted: number; sessions: number; gpuHours: number; profiles: Record<string, { sessions: number; gpuHours: number }> }>();
    for (const r of rows) {
      const d = byDay.get(r.day) ?? { day: r.day, trialsStarted: trialsByDay.get(r.day) ?? 0, sessions: 0, gpuHours: 0, profiles: {} };
      d.sessions += r.sessions;
      d.gpuHours += r.gpu_hours;
      d.profiles[r.profile] = { sessions: r.sessions, gpuHours: round(r.gpu_hours) };
      byDay.set(r.day, d);
    }
    return [...byDay.values()].map((d) => ({ ...d, gpuHours: round(d.gpuHours) }));
  }

  usageCsv(usage: Awaited<ReturnType<AdminActivityService['usage']>>): string {
    const profiles = [...new Set(usage.flatMap((d) => Object.keys(d.profiles)))].sort();
    const header = ['day', 'trials_started', 'sessions', 'gpu_hours', ...profiles.flatMap((p) => [`${p}_sessions`, `${p}_gpu_hours`])];
    const lines = usage.map((d) => [d.day, d.trialsStarted, d.sessions, d.gpuHours, ...profiles.flatMap((p) => [d.profiles[p]?.sessions ?? 0, d.profiles[p]?.gpuHours ?? 0])].join(','));
    return [header.join(','), ...lines].join('\n') + '\n';
  }

  async auditLog(filter: { action?: string; actor?: string; target?: string; since?: string; before?: string; limit?: number }) {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replaceAll('?', `$${params.length}`));
    };
    if (filter.action) add(`action LIKE ?`, `${filter.action.replace(/[%_]/g, '')}%`);
    if (filter.actor) add(`(actor_email ILIKE ? OR actor_id::text = ?)`, filter.actor);
    if (filter.target) add(`target_id = ?`, filter.target);
    if (filter.since) add(`at >= ?`, filter.since);
    if (filter.before) add(`id < ?::bigint`, filter.before);
    params.push(filter.limit ?? 200);
    const rows: Array<Record<string, any>> = await this.dataSource.query(
      `SELECT id, at, actor_id, actor_email, action, target_type, target_id, details FROM audit_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map((r) => ({ id: r.id, at: new Date(r.at).toISOString(), actor: { id: r.actor_id, email: r.actor_email }, action: r.action, target: r.target_type ? { type: r.target_type, id: r.target_id } : null, details: r.details }));
  }
}

const round = (n: number) => Math.round(n * 1000) / 1000;
