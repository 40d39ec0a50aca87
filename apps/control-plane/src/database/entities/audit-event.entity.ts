import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** Who did what to whom, when. */
@Entity('audit_events')
@Index('audit_events_at_idx', ['at'])
export class AuditEventEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' }) id: string;
  @Column('timestamptz', { default: () => 'now()' }) at: Date;
  @Index('audit_events_actor_idx') @Column('uuid', { name: 'actor_id', nullable: true }) actorId: string | null;
  @Column('text', { name: 'actor_email', nullable: true }) actorEmail: string | null;
  @Index('audit_events_action_idx') @Column('text') action: string;
  @Column('text', { name: 'target_type', nullable: true }) targetType: string | null;
  @Column('text', { name: 'target_id', nullable: true }) targetId: string | null;
  @Column('jsonb', { default: () => "'{}'" }) details: Record<string, unknown>;
}
