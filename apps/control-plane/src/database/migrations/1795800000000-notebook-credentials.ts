import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Notebook origins (issue 13): one-time hand-offs from the portal to a session's own origin,
 * and the host-only notebook cookies they turn into. Both die with the portal log-in they came
 * from (ON DELETE CASCADE), and with the session.
 */
export class NotebookCredentials1795800000000 implements MigrationInterface {
  name = 'NotebookCredentials1795800000000';

  async up(q: QueryRunner): Promise<void> {
    for (const statement of UP) await q.query(statement);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS "notebook_handoffs"`);
    await q.query(`DROP TABLE IF EXISTS "notebook_credentials"`);
  }
}

const UP = [
  "CREATE TABLE \"notebook_credentials\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"token_hash\" text NOT NULL, \"session_id\" uuid NOT NULL, \"generation\" integer NOT NULL, \"user_id\" uuid NOT NULL, \"auth_token_id\" uuid NOT NULL, \"password_stamp\" text NOT NULL, \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), \"expires_at\" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT \"PK_7447ef1bc7f3135a36959e01d1a\" PRIMARY KEY (\"id\"))",
  "CREATE UNIQUE INDEX \"notebook_credentials_hash_key\" ON \"notebook_credentials\" (\"token_hash\") ",
  "CREATE INDEX \"notebook_credentials_session_idx\" ON \"notebook_credentials\" (\"session_id\") ",
  "CREATE INDEX \"notebook_credentials_user_idx\" ON \"notebook_credentials\" (\"user_id\") ",
  "CREATE INDEX \"notebook_credentials_auth_token_idx\" ON \"notebook_credentials\" (\"auth_token_id\") ",
  "CREATE INDEX \"notebook_credentials_expires_idx\" ON \"notebook_credentials\" (\"expires_at\") ",
  "CREATE TABLE \"notebook_handoffs\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"token_hash\" text NOT NULL, \"session_id\" uuid NOT NULL, \"generation\" integer NOT NULL, \"user_id\" uuid NOT NULL, \"auth_token_id\" uuid NOT NULL, \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), \"expires_at\" TIMESTAMP WITH TIME ZONE NOT NULL, \"used_at\" TIMESTAMP WITH TIME ZONE, CONSTRAINT \"PK_95253476648292a154387f78518\" PRIMARY KEY (\"id\"))",
  "CREATE UNIQUE INDEX \"notebook_handoffs_hash_key\" ON \"notebook_handoffs\" (\"token_hash\") ",
  "CREATE INDEX \"notebook_handoffs_session_idx\" ON \"notebook_handoffs\" (\"session_id\") ",
  "CREATE INDEX \"notebook_handoffs_user_idx\" ON \"notebook_handoffs\" (\"user_id\") ",
  "CREATE INDEX \"notebook_handoffs_auth_token_idx\" ON \"notebook_handoffs\" (\"auth_token_id\") ",
  "CREATE INDEX \"notebook_handoffs_expires_idx\" ON \"notebook_handoffs\" (\"expires_at\") ",
  "ALTER TABLE \"notebook_credentials\" ADD CONSTRAINT \"notebook_credentials_session_fk\" FOREIGN KEY (\"session_id\") REFERENCES \"sessions\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION",
  "ALTER TABLE \"notebook_credentials\" ADD CONSTRAINT \"notebook_credentials_user_fk\" FOREIGN KEY (\"user_id\") REFERENCES \"users\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION",
  "ALTER TABLE \"notebook_credentials\" ADD CONSTRAINT \"notebook_credentials_auth_token_fk\" FOREIGN KEY (\"auth_token_id\") REFERENCES \"auth_tokens\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION",
  "ALTER TABLE \"notebook_handoffs\" ADD CONSTRAINT \"notebook_handoffs_session_fk\" FOREIGN KEY (\"session_id\") REFERENCES \"sessions\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION",
  "ALTER TABLE \"notebook_handoffs\" ADD CONSTRAINT \"notebook_handoffs_user_fk\" FOREIGN KEY (\"user_id\") REFERENCES \"users\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION",
  "ALTER TABLE \"notebook_handoffs\" ADD CONSTRAINT \"notebook_handoffs_auth_token_fk\" FOREIGN KEY (\"auth_token_id\") REFERENCES \"auth_tokens\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION",
];
