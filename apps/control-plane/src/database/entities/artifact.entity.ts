import { Column, JoinColumn, ManyToOne, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { ResultEntity } from './result.entity';

/** A file a session produced. `storageKey` names it in the artifact store. */
@Entity('artifacts')
@Index('artifacts_result_name_key', ['resultId', 'name'], { unique: true })
export class ArtifactEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Index('artifacts_user_idx') @Column('uuid', { name: 'user_id' }) userId: string;
  @Column('uuid', { name: 'session_id', nullable: true }) sessionId: string | null;
  @Column('uuid', { name: 'result_id' }) resultId: string;
  @ManyToOne(() => ResultEntity, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'result_id', foreignKeyConstraintName: 'artifacts_result_fk' }) result?: ResultEntity;
  /** Normalised relative path inside the result, e.g. `model/model.json`. */
  @Column('text') name: string;
  @Column('bigint', { transformer: { to: (v: number) => v, from: (v: string | null) => (v === null ? null : Number(v)) } }) size: number;
  @Column('text') sha256: string;
  @Column('text', { name: 'content_type' }) contentType: string;
  @Index('artifacts_storage_key', { unique: true }) @Column('text', { name: 'storage_key' }) storageKey: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
