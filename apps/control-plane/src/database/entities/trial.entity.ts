import { Column, JoinColumn, ManyToOne, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { UserEntity } from './user.entity';
import type { TrialEndReason, TrialState } from '@trialhub/contracts';

@Entity('trials')
@Index('trials_state_created_idx', ['state', 'createdAt'])
export class TrialEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Index('trials_user_idx') @Column('uuid', { name: 'user_id' }) userId: string;
  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'trials_user_fk' }) user?: UserEntity;
  @Column('text') state: TrialState;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column('timestamptz', { name: 'activated_at', nullable: true }) activatedAt: Date | null;
  @Column('timestamptz', { name: 'expires_at', nullable: true }) expiresAt: Date | null;
  @Column('timestamptz', { name: 'ended_at', nullable: true }) endedAt: Date | null;
  @Column('text', { name: 'end_reason', nullable: true }) endReason: TrialEndReason | null;
  /** When the one-hour warning mail went out, so it goes out once. */
  @Column('timestamptz', { name: 'warned_at', nullable: true }) warnedAt: Date | null;
  /** Set when the runtime resources of an ended trial are gone. */
  @Column('timestamptz', { name: 'torn_down_at', nullable: true }) tornDownAt: Date | null;
}
