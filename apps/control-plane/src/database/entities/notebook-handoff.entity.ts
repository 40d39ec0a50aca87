import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { AuthTokenEntity } from './auth-token.entity';
import { SessionEntity } from './session.entity';
import { UserEntity } from './user.entity';

/**
 * A one-time hand-off from the portal to a session's notebook origin (at most 60 s, used once).
 * Only the token's SHA-256 is stored; it is bound to the session, its generation, the owner and
 * the portal log-in it was minted from (ending that log-in ends the hand-off).
 */
@Entity('notebook_handoffs')
export class NotebookHandoffEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Index('notebook_handoffs_hash_key', { unique: true }) @Column('text', { name: 'token_hash' }) tokenHash: string;
  @Index('notebook_handoffs_session_idx') @Column('uuid', { name: 'session_id' }) sessionId: string;
  @ManyToOne(() => SessionEntity, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'session_id', foreignKeyConstraintName: 'notebook_handoffs_session_fk' }) session?: SessionEntity;
  @Column('integer') generation: number;
  @Index('notebook_handoffs_user_idx') @Column('uuid', { name: 'user_id' }) userId: string;
  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'notebook_handoffs_user_fk' }) user?: UserEntity;
  @Index('notebook_handoffs_auth_token_idx') @Column('uuid', { name: 'auth_token_id' }) authTokenId: string;
  @ManyToOne(() => AuthTokenEntity, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'auth_token_id', foreignKeyConstraintName: 'notebook_handoffs_auth_token_fk' }) authToken?: AuthTokenEntity;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Index('notebook_handoffs_expires_idx') @Column('timestamptz', { name: 'expires_at' }) expiresAt: Date;
  @Column('timestamptz', { name: 'used_at', nullable: true }) usedAt: Date | null;
}
