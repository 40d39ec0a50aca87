import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ArtifactMissingError, ARTIFACT_STORE, ArtifactStore } from '../artifacts/artifact-store';
import { readStored } from '../artifacts/read-stored';
import { sha256 } from '../common/crypto';
import { ArtifactEntity, ResultEntity, ShareLinkEntity } from '../database/entities';
import { toArtifactView } from '../results/result-view';
import { encodePath } from './html';
import { notebookToHtml } from './notebook-html';
import type { SharedResult } from './shared-result';
import { BeforeAfterRow, readBeforeAfter, readConfusion, readHistory } from './trainer-files';

/** Share tokens are base64url; anything else cannot be one and is not looked up. */
const TOKEN = /^[A-Za-z0-9_-]{22,128}$/;
const JSON_FILE_LIMIT = 8 * 1024 * 1024;
const NOTEBOOK_LIMIT = 20 * 1024 * 1024;
const MAX_NOTEBOOKS = 3;
const CACHE_ENTRIES = 64;
const IMAGE = /\.(png|jpe?g|gif|webp)$/i;

export interface ResolvedShare {
  share: ShareLinkEntity;
  result: ResultEntity;
  artifacts: ArtifactEntity[];
}

/** What the trainer's files say, parsed once per version of a result (artifact hashes in the key). */
interface ParsedContent {
  history: SharedResult['history'];
  confusion: SharedResult['confusion'];
  beforeAfter: Array<BeforeAfterRow & { imageName: string | null }>;
  notebooks: Array<{ name: string; html: string }>;
}

/** The public side of share links: resolves a token to its result and builds what the page and JSON show. */
@Injectable()
export class SharedResultsService {
  private readonly logger = new Logger('SharedResults');
  private readonly cache = new Map<string, ParsedContent>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(ARTIFACT_STORE) private readonly store: ArtifactStore,
  ) {}

  /** The live share behind a token, or null when it is unknown, revoked or expired (or its result is gone). */
  async resolve(token: string): Promise<ResolvedShare | null> {
    if (!TOKEN.test(token)) return null;
    const share = await this.dataSource.manager.findOne(ShareLinkEntity, { where: { tokenHash: sha256(token) } });
    const now = Date.now();
    if (!share || share.revokedAt || (share.expiresAt && share.expiresAt.getTime() <= now)) return null;
    const result = await this.dataSource.manager.findOne(ResultEntity, { where: { id: share.resultId, state: 'complete' } });
    if (!result || (result.expiresAt && result.expiresAt.getTime() <= now)) return null;
    const artifacts = await this.dataSource.manager.find(ArtifactEntity, { where: { resultId: result.id }, order: { name: 'ASC' } });
    return { share, result, artifacts };
  }

  async countView(share: ShareLinkEntity): Promise<void> {
    await this.dataSource.query(`UPDATE share_links SET view_count = view_count + 1, last_viewed_at = now() WHERE id = $1`, [share.id]);
  }

  /** The shared result with links under `/share/<token>`, and the notebooks rendered safely. */
  async build(token: string, { share, result, artifacts }: ResolvedShare): Promise<{ shared: SharedResult; notebooks: ParsedContent['notebooks'] }> {
    const base = `/share/${token}`;
    const fileUrl = (name: string) => `${base}/files/${encodePath(name)}`;
    const content = await this.content(result.id, artifacts);
    const report = artifacts.find((a) => a.name === 'report.html') ?? artifacts.find((a) => !a.name.includes('/') && /\.html?$/i.test(a.name));
    const expiries = [share.expiresAt, result.expiresAt].filter((d): d is Date => d !== null).map((d) => d.getTime());
    const shared: SharedResult = {
      title: result.title,
      createdAt: (result.completedAt ?? result.createdAt).toISOString(),
      expiresAt: expiries.length ? new Date(Math.min(...expiries)).toISOString() : null,
      metrics: result.metrics,
      artifacts: artifacts.map((a) => ({ ...toArtifactView(a), url: fileUrl(a.name) })),
      history: content.history,
      confusion: content.confusion,
      beforeAfter: content.beforeAfter.map(({ imageName, ...row }) => ({ ...row, imageUrl: imageName ? fileUrl(imageName) : null })),
      notebooks: artifacts.filter((a) => /\.ipynb$/i.test(a.name)).map((a) => ({ name: a.name, url: fileUrl(a.name) })),
      report: report ? { name: report.name, url: fileUrl(report.name), frameUrl: `${base}/report` } : null,
      downloadUrl: `${base}/download`,
    };
    return { shared, notebooks: content.notebooks };
  }

  private async content(resultId: string, artifacts: ArtifactEntity[]): Promise<ParsedContent> {
    const key = `${resultId}:${sha256(artifacts.map((a) => `${a.name}\0${a.sha256}`).join('\n'))}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const byName = new Map(artifacts.map((a) => [a.name, a]));
    const images = artifacts.filter((a) => IMAGE.test(a.name));
    // A test image may sit at its own name or inside a folder (the notebook copies test_images/ next to the outputs).
    const imageFor = (image: string) => images.find((a) => a.name === image || a.name.endsWith(`/${image}`))?.name ?? null;
    const notebooks: ParsedContent['notebooks'] = [];
    for (const nb of artifacts.filter((a) => /\.ipynb$/i.test(a.name)).slice(0, MAX_NOTEBOOKS)) {
      const raw = await this.readJson(nb, NOTEBOOK_LIMIT);
      notebooks.push({ name: nb.name, html: raw === undefined ? '<p class="muted">This notebook is too large or unreadable to show here; download it instead.</p>' : notebookToHtml(raw) });
    }
    const parsed: ParsedContent = {
      history: readHistory(await this.readJson(byName.get('history.json'))),
      confusion: readConfusion(await this.readJson(byName.get('confusion.json'))),
      beforeAfter: readBeforeAfter(await this.readJson(byName.get('before-after.json'))).map((row) => ({ ...row, imageName: imageFor(row.image) })),
      notebooks,
    };
    if (this.cache.size >= CACHE_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, parsed);
    return parsed;
  }

  /** A stored JSON file, or undefined when it is absent, too large, missing from the store or not JSON. */
  private async readJson(artifact: ArtifactEntity | undefined, limit = JSON_FILE_LIMIT): Promise<unknown> {
    if (!artifact) return undefined;
    try {
      const bytes = await readStored(this.store, artifact.storageKey, limit);
      return bytes ? JSON.parse(bytes.toString('utf8').replace(/^\uFEFF/, '')) : undefined;
    } catch (err) {
      if (err instanceof ArtifactMissingError) this.logger.error({ key: artifact.storageKey }, `The stored file of ${artifact.name} is missing`);
      return undefined;
    }
  }
}
