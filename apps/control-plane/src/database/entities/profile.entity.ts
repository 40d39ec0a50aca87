import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export interface Toleration { key: string; operator?: 'Exists' | 'Equal'; value?: string; effect?: string }

/** A kind of session a user can launch, and how many may run at once. Admin-editable. */
@Entity('profiles')
export class ProfileEntity {
  @PrimaryColumn('text') name: string;
  @Column('text', { name: 'display_name' }) displayName: string;
  @Column('text', { default: '' }) description: string;
  @Column('text') image: string;
  @Column('text', { name: 'cpu_request' }) cpuRequest: string;
  @Column('text', { name: 'cpu_limit' }) cpuLimit: string;
  @Column('text', { name: 'memory_request' }) memoryRequest: string;
  @Column('text', { name: 'memory_limit' }) memoryLimit: string;
  @Column('int', { default: 0 }) gpus: number;
  @Column('jsonb', { name: 'node_selector', default: () => "'{}'" }) nodeSelector: Record<string, string>;
  @Column('jsonb', { default: () => "'[]'" }) tolerations: Toleration[];
  /** The Kubernetes RuntimeClass session pods run under (gVisor, Kata); null: the cluster's default runtime. */
  @Column('text', { name: 'runtime_class_name', nullable: true }) runtimeClassName: string | null;
  /** Sessions of this profile that may hold resources at once; the rest queue. */
  @Column('int') slots: number;
  @Column('boolean', { name: 'is_default', default: false }) isDefault: boolean;
  @Column('boolean', { default: true }) enabled: boolean;
  @Column('int', { name: 'sort_order', default: 0 }) sortOrder: number;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
