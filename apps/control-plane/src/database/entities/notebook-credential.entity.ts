import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { AuthTokenEntity } from './auth-token.entity';
import { SessionEntity } from './session.entity';
import { UserEntity } from './user.entity';

/**
 * The cookie a notebook origin set after a hand-off: valid for one session generation of one
 * owner, and only while the portal log-in it came from lasts (ON DELETE CASCADE: log-out,
 * log-out everywhere, suspension and password reset delete that log-in) and the password is
 * the one it was issued under (`password_stamp`, so a password change ends it too).
 */
@Entity('notebook_credentials')
export class NotebookCredentialEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Index('notebook_credentials_hash_key', { unique: true }) @Column('text', { name: 'token_hash' }) tokenHash: string;
  @Index('notebook_credentials_session_idx') @Column('uuid', { name: 'session_id' }) sessionId: string;
  @ManyToOne(() => SessionEntity, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'session_id', foreignKeyConstraintName: 'notebook_credentials_session_fk' }) session?: SessionEntity;
  @Column('integer') generation: number;
  @Index('notebook_credentials_user_idx') @Column('uuid', { name: 'user_id' }) userId: string;
  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'notebook_credentials_user_fk' }) user?: UserEntity;
  @Index('notebook_credentials_auth_token_idx') @Column('uuid', { name: 'auth_token_id' }) authTokenId: string;
  @ManyToOne(() => AuthTokenEntity, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'auth_token_id', foreignKeyConstraintName: 'notebook_credentials_auth_token_fk' }) authToken?: AuthTokenEntity;
  /** md5 of the user's password hash when issued: a change detector, compared in SQL. */
  @Column('text', { name: 'password_stamp' }) passwordStamp: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Index('notebook_credentials_expires_idx') @Column('timestamptz', { name: 'expires_at' }) expiresAt: Date;
}
