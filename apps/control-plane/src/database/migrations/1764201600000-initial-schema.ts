import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The whole domain of DESIGN.md: accounts, trials, workspaces, profiles, sessions and their events, results, artifacts, share links, quotas, audit. */
export class InitialSchema1764201600000 implements MigrationInterface {
  name = 'InitialSchema1764201600000';

  async up(q: QueryRunner): Promise<void> {
    for (const sql of UP) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['audit_events', 'user_quotas', 'settings', 'share_links', 'artifacts', 'results', 'session_events', 'sessions', 'profiles', 'workspaces', 'trials', 'user_tokens', 'auth_tokens', 'users']) {
      await q.query(`DROP TABLE IF EXISTS "${table}" CASCADE`);
    }
  }
}

const UP = [
  "CREATE TABLE \"users\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"email\" text NOT NULL, \"password_hash\" text NOT NULL, \"role\" text NOT NULL DEFAULT 'user', \"verified_at\" TIMESTAMP WITH TIME ZONE, \"suspended_at\" TIMESTAMP WITH TIME ZONE, \"suspended_reason\" text, \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), \"updated_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT \"PK_a3ffb1c0c8416b9fc6f907b7433\" PRIMARY KEY (\"id\"))",
  "CREATE UNIQUE INDEX \"users_email_key\" ON \"users\" (\"email\") ",
  "CREATE TABLE \"results\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"user_id\" uuid NOT NULL, \"trial_id\" uuid NOT NULL, \"session_id\" uuid, \"run_name\" text NOT NULL, \"title\" text NOT NULL, \"state\" text NOT NULL DEFAULT 'uploading', \"metrics\" jsonb, \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), \"completed_at\" TIMESTAMP WITH TIME ZONE, \"expires_at\" TIMESTAMP WITH TIME ZONE, CONSTRAINT \"PK_e8f2a9191c61c15b627c117a678\" PRIMARY KEY (\"id\"))",
  "CREATE INDEX \"results_user_idx\" ON \"results\" (\"user_id\") ",
  "CREATE INDEX \"results_expires_idx\" ON \"results\" (\"expires_at\") ",
  "CREATE UNIQUE INDEX \"results_run_key\" ON \"results\" (\"session_id\", \"run_name\") ",
  "CREATE TABLE \"artifacts\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"user_id\" uuid NOT NULL, \"session_id\" uuid, \"result_id\" uuid NOT NULL, \"name\" text NOT NULL, \"size\" bigint NOT NULL, \"sha256\" text NOT NULL, \"content_type\" text NOT NULL, \"storage_key\" text NOT NULL, \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT \"PK_6516bbed3c129918e05c5012edb\" PRIMARY KEY (\"id\"))",
  "CREATE INDEX \"artifacts_user_idx\" ON \"artifacts\" (\"user_id\") ",
  "CREATE UNIQUE INDEX \"artifacts_storage_key\" ON \"artifacts\" (\"storage_key\") ",
  "CREATE UNIQUE INDEX \"artifacts_result_name_key\" ON \"artifacts\" (\"result_id\", \"name\") ",
  "CREATE TABLE \"audit_events\" (\"id\" BIGSERIAL NOT NULL, \"at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), \"actor_id\" uuid, \"actor_email\" text, \"action\" text NOT NULL, \"target_type\" text, \"target_id\" text, \"details\" jsonb NOT NULL DEFAULT '{}', CONSTRAINT \"PK_910f64d901a5c3e9878f0d4a407\" PRIMARY KEY (\"id\"))",
  "CREATE INDEX \"audit_events_actor_idx\" ON \"audit_events\" (\"actor_id\") ",
  "CREATE INDEX \"audit_events_action_idx\" ON \"audit_events\" (\"action\") ",
  "CREATE INDEX \"audit_events_at_idx\" ON \"audit_events\" (\"at\") ",
  "CREATE TABLE \"auth_tokens\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"user_id\" uuid NOT NULL, \"token_hash\" text NOT NULL, \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), \"expires_at\" TIMESTAMP WITH TIME ZONE NOT NULL, \"last_used_at\" TIMESTAMP WITH TIME ZONE, CONSTRAINT \"PK_41e9ddfbb32da18c4e85e45c2fd\" PRIMARY KEY (\"id\"))",
  "CREATE INDEX \"auth_tokens_user_idx\" ON \"auth_tokens\" (\"user_id\") ",
  "CREATE UNIQUE INDEX \"auth_tokens_hash_key\" ON \"auth_tokens\" (\"token_hash\") ",
  "CREATE TABLE \"profiles\" (\"name\" text NOT NULL, \"display_name\" text NOT NULL, \"description\" text NOT NULL DEFAULT '', \"image\" text NOT NULL, \"cpu_request\" text NOT NULL, \"cpu_limit\" text NOT NULL, \"memory_request\" text NOT NULL, \"memory_limit\" text NOT NULL, \"gpus\" integer NOT NULL DEFAULT '0', \"node_selector\" jsonb NOT NULL DEFAULT '{}', \"tolerations\" jsonb NOT NULL DEFAULT '[]', \"slots\" integer NOT NULL, \"is_default\" boolean NOT NULL DEFAULT false, \"enabled\" boolean NOT NULL DEFAULT true, \"sort_order\" integer NOT NULL DEFAULT '0', \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), \"updated_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT \"PK_4e9da7cade0e9edd393329bb326\" PRIMARY KEY (\"name\"))",
  "CREATE TABLE \"trials\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"user_id\" uuid NOT NULL, \"state\" text NOT NULL, \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), \"activated_at\" TIMESTAMP WITH TIME ZONE, \"expires_at\" TIMESTAMP WITH TIME ZONE, \"ended_at\" TIMESTAMP WITH TIME ZONE, \"end_reason\" text, \"warned_at\" TIMESTAMP WITH TIME ZONE, \"torn_down_at\" TIMESTAMP WITH TIME ZONE, CONSTRAINT \"PK_afe5dc86ce7253d239c3dfea2d3\" PRIMARY KEY (\"id\"))",
  "CREATE INDEX \"trials_user_idx\" ON \"trials\" (\"user_id\") ",
  "CREATE INDEX \"trials_state_created_idx\" ON \"trials\" (\"state\", \"created_at\") ",
  "CREATE TABLE \"sessions\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"user_id\" uuid NOT NULL, \"trial_id\" uuid NOT NULL, \"profile_name\" text NOT NULL, \"state\" text NOT NULL, \"reason_code\" text, \"reason\" text, \"generation\" integer NOT NULL DEFAULT '0', \"mode\" text, \"node\" text, \"endpoint_host\" text, \"endpoint_port\" integer, \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), \"queued_at\" TIMESTAMP WITH TIME ZONE NOT NULL, \"started_at\" TIMESTAMP WITH TIME ZONE, \"ready_at\" TIMESTAMP WITH TIME ZONE, \"last_activity_at\" TIMESTAMP WITH TIME ZONE, \"stopped_at\" TIMESTAMP WITH TIME ZONE, \"stop_reason\" text, \"claimed_by\" text, \"claimed_until\" TIMESTAMP WITH TIME ZONE, \"next_check_at\" TIMESTAMP WITH TIME ZONE, CONSTRAINT \"PK_3238ef96f18b355b671619111bc\" PRIMARY KEY (\"id\"))",
  "CREATE INDEX \"sessions_user_idx\" ON \"sessions\" (\"user_id\") ",
  "CREATE INDEX \"sessions_trial_idx\" ON \"sessions\" (\"trial_id\") ",
  "CREATE INDEX \"sessions_state_queued_idx\" ON \"sessions\" (\"state\", \"queued_at\") ",
  "CREATE TABLE \"session_events\" (\"id\" BIGSERIAL NOT NULL, \"session_id\" uuid NOT NULL, \"at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), \"from_state\" text, \"to_state\" text, \"reason\" text, \"message\" text NOT NULL, CONSTRAINT \"PK_aeae988940cef0a489a14200af3\" PRIMARY KEY (\"id\"))",
  "CREATE INDEX \"session_events_session_idx\" ON \"session_events\" (\"session_id\", \"id\") ",
  "CREATE TABLE \"settings\" (\"key\" text NOT NULL, \"value\" jsonb NOT NULL, \"updated_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT \"PK_c8639b7626fa94ba8265628f214\" PRIMARY KEY (\"key\"))",
  "CREATE TABLE \"share_links\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"result_id\" uuid NOT NULL, \"user_id\" uuid NOT NULL, \"token_hash\" text NOT NULL, \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), \"expires_at\" TIMESTAMP WITH TIME ZONE, \"revoked_at\" TIMESTAMP WITH TIME ZONE, \"view_count\" integer NOT NULL DEFAULT '0', \"last_viewed_at\" TIMESTAMP WITH TIME ZONE, CONSTRAINT \"PK_70320b79ecd8acab96419fcdd6d\" PRIMARY KEY (\"id\"))",
  "CREATE INDEX \"share_links_result_idx\" ON \"share_links\" (\"result_id\") ",
  "CREATE UNIQUE INDEX \"share_links_hash_key\" ON \"share_links\" (\"token_hash\") ",
  "CREATE TABLE \"user_quotas\" (\"user_id\" uuid NOT NULL, \"sessions_per_user\" integer, \"storage_bytes\" bigint, \"allowed_profiles\" jsonb, \"updated_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT \"PK_992159a04333fbc8ddc5eac9539\" PRIMARY KEY (\"user_id\"))",
  "CREATE TABLE \"user_tokens\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"user_id\" uuid NOT NULL, \"purpose\" text NOT NULL, \"token_hash\" text NOT NULL, \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), \"expires_at\" TIMESTAMP WITH TIME ZONE NOT NULL, \"used_at\" TIMESTAMP WITH TIME ZONE, CONSTRAINT \"PK_63764db9d9aaa4af33e07b2f4bf\" PRIMARY KEY (\"id\"))",
  "CREATE INDEX \"user_tokens_user_idx\" ON \"user_tokens\" (\"user_id\") ",
  "CREATE UNIQUE INDEX \"user_tokens_hash_key\" ON \"user_tokens\" (\"token_hash\") ",
  "CREATE TABLE \"workspaces\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"trial_id\" uuid NOT NULL, \"user_id\" uuid NOT NULL, \"state\" text NOT NULL DEFAULT 'pending', \"size\" text NOT NULL, \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), \"deleted_at\" TIMESTAMP WITH TIME ZONE, CONSTRAINT \"PK_098656ae401f3e1a4586f47fd8e\" PRIMARY KEY (\"id\"))",
  "CREATE UNIQUE INDEX \"workspaces_trial_key\" ON \"workspaces\" (\"trial_id\") ",
  "ALTER TABLE \"results\" ADD CONSTRAINT \"results_user_fk\" FOREIGN KEY (\"user_id\") REFERENCES \"users\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION",
  "ALTER TABLE \"artifacts\" ADD CONSTRAINT \"artifacts_result_fk\" FOREIGN KEY (\"result_id\") REFERENCES \"results\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION",
  "ALTER TABLE \"auth_tokens\" ADD CONSTRAINT \"auth_tokens_user_fk\" FOREIGN KEY (\"user_id\") REFERENCES \"users\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION",
  "ALTER TABLE \"trials\" ADD CONSTRAINT \"trials_user_fk\" FOREIGN KEY (\"user_id\") REFERENCES \"users\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION",
  "ALTER TABLE \"sessions\" ADD CONSTRAINT \"sessions_trial_fk\" FOREIGN KEY (\"trial_id\") REFERENCES \"trials\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION",
  "ALTER TABLE \"session_events\" ADD CONSTRAINT \"session_events_session_fk\" FOREIGN KEY (\"session_id\") REFERENCES \"sessions\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION",
  "ALTER TABLE \"share_links\" ADD CONSTRAINT \"share_links_result_fk\" FOREIGN KEY (\"result_id\") REFERENCES \"results\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION",
  "ALTER TABLE \"user_quotas\" ADD CONSTRAINT \"user_quotas_user_fk\" FOREIGN KEY (\"user_id\") REFERENCES \"users\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION",
  "ALTER TABLE \"user_tokens\" ADD CONSTRAINT \"user_tokens_user_fk\" FOREIGN KEY (\"user_id\") REFERENCES \"users\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION",
  "ALTER TABLE \"workspaces\" ADD CONSTRAINT \"workspaces_trial_fk\" FOREIGN KEY (\"trial_id\") REFERENCES \"trials\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION",
];
