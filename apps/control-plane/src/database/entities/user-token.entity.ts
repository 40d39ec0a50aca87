import { Column, JoinColumn, ManyToOne, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { UserEntity } from './user.entity';

export type UserTokenPurpose = 'verify-email' | 'reset-password';

/** One-time tokens sent by mail (email verification, password reset). Only the hash is stored. */
@Entity('user_tokens')
export class UserTokenEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Index('user_tokens_user_idx') @Column('uuid', { name: 'user_id' }) userId: string;
  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'user_tokens_user_fk' }) user?: UserEntity;
  @Column('text') purpose: UserTokenPurpose;
  @Index('user_tokens_hash_key', { unique: true }) @Column('text', { name: 'token_hash' }) tokenHash: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column('timestamptz', { name: 'expires_at' }) expiresAt: Date;
  @Column('timestamptz', { name: 'used_at', nullable: true }) usedAt: Date | null;
}
