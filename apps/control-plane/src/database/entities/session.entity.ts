import { Check, Column, JoinColumn, ManyToOne, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { TrialEntity } from './trial.entity';
import { SESSION_STATES, type SessionState } from '@trialhub/contracts';

@Entity('sessions')
// Declared as migration 1795840000000 created it, so the schema has no drift; the list comes from the contracts.
@Check('sessions_state_check', `"state" IN (${SESSION_STATES.map((st) => `'${st}'`).join(',')})`)
@Index('sessions_state_queued_idx', ['state', 'queuedAt'])
export class SessionEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Index('sessions_user_idx') @Column('uuid', { name: 'user_id' }) userId: string;
  @Index('sessions_trial_idx') @Column('uuid', { name: 'trial_id' }) trialId: string;
  @ManyToOne(() => TrialEntity, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'trial_id', foreignKeyConstraintName: 'sessions_trial_fk' }) trial?: TrialEntity;
  @Column('text', { name: 'profile_name' }) profileName: string;
  @Column('text') state: SessionState;
  /** Short machine reason for the current state (e.g. `ImagePullBackOff`, `max-runtime`). */
  @Column('text', { name: 'reason_code', nullable: true }) reasonCode: string | null;
  /** Sentence a user can read. */
  @Column('text', { nullable: true }) reason: string | null;
  /** Incremented on every (re)launch; tokens are derived from it. */
  @Column('int', { default: 0 }) generation: number;
  @Column('text', { nullable: true }) mode: 'jupyter' | 'headless' | null;
  @Column('text', { nullable: true }) node: string | null;
  @Column('text', { name: 'endpoint_host', nullable: true }) endpointHost: string | null;
  @Column('int', { name: 'endpoint_port', nullable: true }) endpointPort: number | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  /** FIFO order of the queue; reset on resume. */
  @Column('timestamptz', { name: 'queued_at' }) queuedAt: Date;
  @Column('timestamptz', { name: 'started_at', nullable: true }) startedAt: Date | null;
  @Column('timestamptz', { name: 'ready_at', nullable: true }) readyAt: Date | null;
  @Column('timestamptz', { name: 'last_activity_at', nullable: true }) lastActivityAt: Date | null;
  @Column('timestamptz', { name: 'stopped_at', nullable: true }) stoppedAt: Date | null;
  /** Why a stop was asked for (`user`, `admin`, `max-runtime`, `idle`, `trial-ended`). */
  @Column('text', { name: 'stop_reason', nullable: true }) stopReason: string | null;
  /** Set while one control plane replica drives the session (lease). */
  @Column('text', { name: 'claimed_by', nullable: true }) claimedBy: string | null;
  @Column('timestamptz', { name: 'claimed_until', nullable: true }) claimedUntil: Date | null;
  /** When the reconciler should look at the session again. */
  @Column('timestamptz', { name: 'next_check_at', nullable: true }) nextCheckAt: Date | null;
  /** Limits this session was admitted with (ms; bigint comes back as a string); null = the current quota. */
  @Column('bigint', { name: 'max_runtime_ms', nullable: true }) maxRuntimeMs: string | null;
  @Column('bigint', { name: 'idle_timeout_ms', nullable: true }) idleTimeoutMs: string | null;
}
