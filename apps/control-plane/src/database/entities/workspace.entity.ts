import { Column, JoinColumn, ManyToOne, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { TrialEntity } from './trial.entity';

/** The trial's persistent `/data` volume (a PVC, or a folder for the local runtime). */
@Entity('workspaces')
export class WorkspaceEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Index('workspaces_trial_key', { unique: true }) @Column('uuid', { name: 'trial_id' }) trialId: string;
  @ManyToOne(() => TrialEntity, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'trial_id', foreignKeyConstraintName: 'workspaces_trial_fk' }) trial?: TrialEntity;
  @Column('uuid', { name: 'user_id' }) userId: string;
  @Column('text', { default: 'pending' }) state: 'pending' | 'ready' | 'deleting' | 'deleted';
  @Column('text') size: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column('timestamptz', { name: 'deleted_at', nullable: true }) deletedAt: Date | null;
}
