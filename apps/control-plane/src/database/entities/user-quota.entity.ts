import { Column, JoinColumn, ManyToOne, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { UserEntity } from './user.entity';

/** Per-user overrides of the global quotas; null means "use the global value". */
@Entity('user_quotas')
export class UserQuotaEntity {
  @PrimaryColumn('uuid', { name: 'user_id' }) userId: string;
  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'user_quotas_user_fk' }) user?: UserEntity;
  @Column('int', { name: 'sessions_per_user', nullable: true }) sessionsPerUser: number | null;
  @Column('bigint', { name: 'storage_bytes', nullable: true, transformer: { to: (v: number | null) => v, from: (v: string | null) => (v === null ? null : Number(v)) } }) storageBytes: number | null;
  @Column('jsonb', { name: 'allowed_profiles', nullable: true }) allowedProfiles: string[] | null;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
