import { Column, JoinColumn, ManyToOne, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { ResultEntity } from './result.entity';

/** A revocable, optionally expiring link to one result. Only the token's SHA-256 is stored. */
@Entity('share_links')
export class ShareLinkEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Index('share_links_result_idx') @Column('uuid', { name: 'result_id' }) resultId: string;
  @ManyToOne(() => ResultEntity, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'result_id', foreignKeyConstraintName: 'share_links_result_fk' }) result?: ResultEntity;
  @Column('uuid', { name: 'user_id' }) userId: string;
  @Index('share_links_hash_key', { unique: true }) @Column('text', { name: 'token_hash' }) tokenHash: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column('timestamptz', { name: 'expires_at', nullable: true }) expiresAt: Date | null;
  @Column('timestamptz', { name: 'revoked_at', nullable: true }) revokedAt: Date | null;
  @Column('int', { name: 'view_count', default: 0 }) viewCount: number;
  @Column('timestamptz', { name: 'last_viewed_at', nullable: true }) lastViewedAt: Date | null;
}
