import { Column, JoinColumn, ManyToOne, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { UserEntity } from './user.entity';

/** A saved bundle of artifacts with its headline metrics; outlives the trial for the retention period. */
@Entity('results')
@Index('results_run_key', ['sessionId', 'runName'], { unique: true })
export class ResultEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Index('results_user_idx') @Column('uuid', { name: 'user_id' }) userId: string;
  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'results_user_fk' }) user?: UserEntity;
  @Column('uuid', { name: 'trial_id' }) trialId: string;
  @Column('uuid', { name: 'session_id', nullable: true }) sessionId: string | null;
  @Column('text', { name: 'run_name' }) runName: string;
  @Column('text') title: string;
  @Column('text', { default: 'uploading' }) state: 'uploading' | 'complete';
  @Column('jsonb', { nullable: true }) metrics: Record<string, unknown> | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column('timestamptz', { name: 'completed_at', nullable: true }) completedAt: Date | null;
  @Index('results_expires_idx') @Column('timestamptz', { name: 'expires_at', nullable: true }) expiresAt: Date | null;
}
