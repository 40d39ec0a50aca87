import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { ResultView } from '@trialhub/contracts';
import { DataSource, In } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { AuthUser } from '../auth/auth-user';
import { ResultRemover } from '../artifacts/result-remover';
import { ArtifactEntity, ResultEntity, ShareLinkEntity } from '../database/entities';
import { toResultView } from './result-view';

/** A user's saved results. Only the owner sees one; to anybody else it does not exist (404). */
@Injectable()
export class ResultsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly remover: ResultRemover,
    private readonly audit: AuditService,
  ) {}

  async list(user: AuthUser): Promise<ResultView[]> {
    const results = await this.dataSource.manager.find(ResultEntity, { where: { userId: user.id, state: 'complete' }, order: { completedAt: 'DESC', createdAt: 'DESC' } });
    if (!results.length) return [];
    const ids = results.map((r) => r.id);
    const [artifacts, shares] = await Promise.all([
      this.dataSource.manager.find(ArtifactEntity, { where: { resultId: In(ids) } }),
      this.dataSource.manager.find(ShareLinkEntity, { where: { resultId: In(ids) } }),
    ]);
    return results.map((r) => toResultView(r, artifacts.filter((a) => a.resultId === r.id), shares.filter((s) => s.resultId === r.id)));
  }

  async get(user: AuthUser, id: string): Promise<ResultView> {
    const result = await this.findOwned(user, id);
    return this.view(result);
  }

  async rename(user: AuthUser, id: string, title: string): Promise<ResultView> {
    const result = await this.findOwned(user, id);
    await this.dataSource.manager.update(ResultEntity, { id: result.id }, { title });
    result.title = title;
    return this.view(result);
  }

  async remove(user: AuthUser, id: string): Promise<void> {
    const result = await this.findOwned(user, id);
    await this.remover.remove(result.id);
    await this.audit.record({ id: user.id, email: user.email }, 'result.delete', { type: 'result', id: result.id }, { title: result.title });
  }

  /** The user's completed result, or 404 (also when it belongs to somebody else). */
  async findOwned(user: AuthUser, id: string): Promise<ResultEntity> {
    const result = await this.dataSource.manager.findOne(ResultEntity, { where: { id, userId: user.id, state: 'complete' } });
    if (!result) throw new NotFoundException('There is no such result (it may have been deleted or expired).');
    return result;
  }

  async artifactsOf(resultId: string): Promise<ArtifactEntity[]> {
    return this.dataSource.manager.find(ArtifactEntity, { where: { resultId }, order: { name: 'ASC' } });
  }

  private async view(result: ResultEntity): Promise<ResultView> {
    const [artifacts, shares] = await Promise.all([this.artifactsOf(result.id), this.dataSource.manager.find(ShareLinkEntity, { where: { resultId: result.id } })]);
    return toResultView(result, artifacts, shares);
  }
}
