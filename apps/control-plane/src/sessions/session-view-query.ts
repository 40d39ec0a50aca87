import type { SessionEventEntity } from '../database/entities';
import { stateLiteral } from '../repositories/state-literal';

const QUEUED = stateLiteral('queued');

/**
 * What a session's view needs beyond its row, as SQL over the row aliased `s`, so a view costs
 * one round trip (with the row: GET /api/sessions/:id is the API's hottest read).
 */
export const SESSION_VIEW_EXTRAS: Record<keyof SessionViewExtrasRow, string> = {
  view_events: `(SELECT json_agg(e ORDER BY e.id) FROM (
      SELECT id, at, from_state AS "fromState", to_state AS "toState", reason, message FROM session_events
      WHERE session_id = s.id ORDER BY id LIMIT 500) e)`,
  view_trial_expires_at: `(SELECT expires_at FROM trials WHERE id = s.trial_id)`,
  view_max_runtime_ms: `(SELECT (value #>> '{}')::bigint FROM settings WHERE key = 'sessionMaxRuntimeMs')`,
  view_ahead: `CASE WHEN s.state = ${QUEUED} THEN (
      SELECT count(*)::int FROM sessions q WHERE q.state = ${QUEUED} AND q.profile_name = s.profile_name AND (q.queued_at, q.id) < (s.queued_at, s.id)) END`,
};

export interface SessionViewExtrasRow {
  view_events: Array<Omit<SessionEventEntity, 'at'> & { at: string }> | null;
  view_trial_expires_at: Date | null;
  /** bigint: a string from pg */
  view_max_runtime_ms: string | null;
  view_ahead: number | null;
}

export const SESSION_VIEW_EXTRAS_SQL = Object.entries(SESSION_VIEW_EXTRAS)
  .map(([alias, sql]) => `${sql} AS ${alias}`)
  .join(',\n');
