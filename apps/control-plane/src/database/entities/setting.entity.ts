import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** Admin-set quotas and limits (key → JSON value); a missing key means the configured default. */
@Entity('settings')
export class SettingEntity {
  @PrimaryColumn('text') key: string;
  @Column('jsonb') value: unknown;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
