import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Changes that a session's API view shows are announced on the `trialhub_session_changes`
 * channel, so every replica can drop what it cached (SessionViewCache):
 * - `s:<session id>`: the row changed in a column the view shows (not the lease and
 *   bookkeeping columns the reconciler rewrites all the time), was inserted or deleted, or
 *   got an event;
 * - `t:<trial id>`: a trial's expiry or state changed (the view shows when the trial ends);
 * - `*`: a setting changed (the view falls back to the sessionMaxRuntimeMs quota).
 * NOTIFY is delivered at commit and deduplicated within a transaction.
 */
export class SessionChangeNotifications1795741200000 implements MigrationInterface {
  name = 'SessionChangeNotifications1795741200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION trialhub_notify_session_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_TABLE_NAME = 'session_events' THEN
          PERFORM pg_notify('trialhub_session_changes', 's:' || NEW.session_id);
        ELSIF TG_TABLE_NAME = 'trials' THEN
          PERFORM pg_notify('trialhub_session_changes', 't:' || NEW.id);
        ELSIF TG_TABLE_NAME = 'settings' THEN
          PERFORM pg_notify('trialhub_session_changes', '*');
        ELSIF TG_OP = 'DELETE' THEN
          PERFORM pg_notify('trialhub_session_changes', 's:' || OLD.id);
        ELSE
          PERFORM pg_notify('trialhub_session_changes', 's:' || NEW.id);
        END IF;
        RETURN NULL;
      END
      $$`);
    await q.query(`CREATE TRIGGER sessions_notify_insert_delete AFTER INSERT OR DELETE ON sessions FOR EACH ROW EXECUTE FUNCTION trialhub_notify_session_change()`);
    await q.query(`
      CREATE TRIGGER sessions_notify_update AFTER UPDATE ON sessions FOR EACH ROW
      WHEN (OLD.state IS DISTINCT FROM NEW.state OR OLD.reason IS DISTINCT FROM NEW.reason OR OLD.reason_code IS DISTINCT FROM NEW.reason_code
        OR OLD.ready_at IS DISTINCT FROM NEW.ready_at OR OLD.stopped_at IS DISTINCT FROM NEW.stopped_at OR OLD.started_at IS DISTINCT FROM NEW.started_at
        OR OLD.queued_at IS DISTINCT FROM NEW.queued_at OR OLD.mode IS DISTINCT FROM NEW.mode OR OLD.max_runtime_ms IS DISTINCT FROM NEW.max_runtime_ms
        OR OLD.profile_name IS DISTINCT FROM NEW.profile_name OR OLD.trial_id IS DISTINCT FROM NEW.trial_id OR OLD.user_id IS DISTINCT FROM NEW.user_id)
      EXECUTE FUNCTION trialhub_notify_session_change()`);
    await q.query(`CREATE TRIGGER session_events_notify AFTER INSERT ON session_events FOR EACH ROW EXECUTE FUNCTION trialhub_notify_session_change()`);
    await q.query(`
      CREATE TRIGGER trials_notify AFTER UPDATE ON trials FOR EACH ROW
      WHEN (OLD.expires_at IS DISTINCT FROM NEW.expires_at OR OLD.state IS DISTINCT FROM NEW.state)
      EXECUTE FUNCTION trialhub_notify_session_change()`);
    await q.query(`CREATE TRIGGER settings_notify AFTER INSERT OR UPDATE OR DELETE ON settings FOR EACH STATEMENT EXECUTE FUNCTION trialhub_notify_session_change()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER settings_notify ON settings`);
    await q.query(`DROP TRIGGER trials_notify ON trials`);
    await q.query(`DROP TRIGGER session_events_notify ON session_events`);
    await q.query(`DROP TRIGGER sessions_notify_update ON sessions`);
    await q.query(`DROP TRIGGER sessions_notify_insert_delete ON sessions`);
    await q.query(`DROP FUNCTION trialhub_notify_session_change()`);
  }
}
