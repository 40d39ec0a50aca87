import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { CreatedShareLink, ShareLinkView } from '@trialhub/contracts';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { AuthUser } from '../auth/auth-user';
import { randomToken, sha256 } from '../common/crypto';
import { AppConfig } from '../config/app-config';
import { ShareLinkEntity } from '../database/entities';
import { ResultsService } from '../results/results.service';
import { CreateShareDto } from './dto/share.dto';
import { ShareViewCounter } from './share-view-counter';
import { LifecycleLog } from '../logging/lifecycle-log.service';

const DAY_MS = 24 * 3600 * 1000;

export const toShareLinkView = (s: ShareLinkEntity, now = Date.now()): ShareLinkView => ({
  id: s.id,
  createdAt: s.createdAt.toISOString(),
  expiresAt: s.expiresAt?.toISOString() ?? null,
  revokedAt: s.revokedAt?.toISOString() ?? null,
  viewCount: s.viewCount,
  lastViewedAt: s.lastViewedAt?.toISOString() ?? null,
  active: !s.revokedAt && (!s.expiresAt || s.expiresAt.getTime() > now),
});

/** The owner's share links of a result: create (token shown once), list, revoke. */
@Injectable()
export class ShareLinksService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly results: ResultsService,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
    private readonly views: ShareViewCounter,
    private readonly lifecycle: LifecycleLog,
  ) {}

  async create(user: AuthUser, resultId: string, dto: CreateShareDto): Promise<CreatedShareLink> {
    const result = await this.results.findOwned(user, resultId);
    const expiresAt = this.expiryFrom(dto);
    // 256 random bits; the database keeps only the hash, so a leaked table reveals no link.
    const token = randomToken(32);
    const share = await this.dataSource.transaction(async (manager) => {
      const saved = await manager.save(manager.create(ShareLinkEntity, { resultId: result.id, userId: user.id, tokenHash: sha256(token), expiresAt }));
      await this.audit.record({ id: user.id, email: user.email }, 'share.create', { type: 'result', id: result.id }, { shareId: saved.id, expiresAt: expiresAt?.toISOString() ?? null }, manager);
      return saved;
    });
    this.lifecycle.shareCreated({ userId: user.id, resultId: result.id, shareId: share.id }, expiresAt);
    const fresh = await this.dataSource.manager.findOneByOrFail(ShareLinkEntity, { id: share.id });
    return { ...toShareLinkView(fresh), token, url: `${this.config.publicUrl}/share/${token}` };
  }

  async list(user: AuthUser, resultId: string): Promise<ShareLinkView[]> {
    const result = await this.results.findOwned(user, resultId);
    await this.views.flush();
    const links = await this.dataSource.manager.find(ShareLinkEntity, { where: { resultId: result.id }, order: { createdAt: 'DESC' } });
    return links.map((l) => toShareLinkView(l));
  }

  async revoke(user: AuthUser, resultId: string, shareId: string): Promise<void> {
    const result = await this.results.findOwned(user, resultId);
    const revoked = await this.dataSource.transaction(async (manager) => {
      const link = await manager.findOne(ShareLinkEntity, { where: { id: shareId, resultId: result.id }, lock: { mode: 'pessimistic_write' } });
      if (!link) throw new NotFoundException('This result has no such share link.');
      if (link.revokedAt) return false;
      await manager.update(ShareLinkEntity, { id: link.id }, { revokedAt: new Date() });
      await this.audit.record({ id: user.id, email: user.email }, 'share.revoke', { type: 'result', id: result.id }, { shareId: link.id }, manager);
      return true;
    });
    if (revoked) this.lifecycle.shareRevoked({ userId: user.id, resultId: result.id, shareId });
  }

  private expiryFrom(dto: CreateShareDto): Date | null {
    if (dto.expiresAt !== undefined && dto.expiresInDays !== undefined) throw new BadRequestException('Send either expiresAt or expiresInDays, not both.');
    if (dto.expiresInDays !== undefined) return new Date(Date.now() + dto.expiresInDays * DAY_MS);
    if (dto.expiresAt === undefined) return null;
    const at = new Date(dto.expiresAt);
    if (Number.isNaN(at.getTime())) throw new BadRequestException('expiresAt is not a valid date.');
    if (at.getTime() <= Date.now()) throw new BadRequestException('expiresAt must be in the future.');
    return at;
  }
}
