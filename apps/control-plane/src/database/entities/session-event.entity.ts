import { Column, JoinColumn, ManyToOne, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { SessionEntity } from './session.entity';
import type { SessionState } from '@trialhub/contracts';

/** One line of a session's history, written in the same transaction as the state change. */
@Entity('session_events')
@Index('session_events_session_idx', ['sessionId', 'id'])
export class SessionEventEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' }) id: string;
  @Column('uuid', { name: 'session_id' }) sessionId: string;
  @ManyToOne(() => SessionEntity, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'session_id', foreignKeyConstraintName: 'session_events_session_fk' }) session?: SessionEntity;
  @Column('timestamptz', { default: () => 'now()' }) at: Date;
  @Column('text', { name: 'from_state', nullable: true }) fromState: SessionState | null;
  @Column('text', { name: 'to_state', nullable: true }) toState: SessionState | null;
  @Column('text', { nullable: true }) reason: string | null;
  @Column('text') message: string;
}
