import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { FULL_MODEL_JSON, readBeforeAfter, readConfusion, readHistory, type BeforeAfterRow, type ResultMetrics, type SharedResult } from '@trialhub/contracts';
import { DataSource } from 'typeorm';
import { ArtifactMissingError, ARTIFACT_STORE, ArtifactStore } from '../artifacts/artifact-store';
import { readStored } from '../artifacts/read-stored';
import { sha256 } from '../common/crypto';
import { ArtifactEntity, ResultEntity, ShareLinkEntity } from '../database/entities';
import { toArtifactView } from '../results/result-view';
import { encodePath } from './html';
import { MisclassifiedView, readMisclassifiedRows } from './misclassified';
import { notebookToHtml } from './notebook-html';
import { ShareViewCounter } from './share-view-counter';

/** Share tokens are base64url; anything else cannot be one and is not looked up. */
const TOKEN = /^[A-Za-z0-9_-]{22,128}$/;
const JSON_FILE_LIMIT = 8 * 1024 * 1024;
const NOTEBOOK_LIMIT = 20 * 1024 * 1024;
const MAX_NOTEBOOKS = 3;
const CACHE_ENTRIES = 64;
const IMAGE = /\.(png|jpe?g|gif|webp)$/i;

interface ResolvedRow {
  share_id: string;
  share_expires_at: Date | null;
  id: string;
  user_id: string;
  trial_id: string;
  session_id: string | null;
  run_name: string;
  title: string;
  metrics: Record<string, unknown> | null;
  created_at: Date;
  completed_at: Date | null;
  expires_at: Date | null;
  artifacts: Array<{ id: string; name: string; size: number | string; sha256: string; contentType: string; storageKey: string; createdAt: string }>;
}

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
  misclassified: ReturnType<typeof readMisclassifiedRows>;
}

/** The public side of share links: resolves a token to its result and builds what the page and JSON show. */
@Injectable()
export class SharedResultsService {
  private readonly logger = new Logger('SharedResults');
  private readonly cache = new Map<string, ParsedContent>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(ARTIFACT_STORE) private readonly store: ArtifactStore,
    private readonly views: ShareViewCounter,
  ) {}

  /** The live share behind a token, or null when it is unknown, revoked or expired (or its result is gone). One query: this is the hot path of a popular link. */
  async resolve(token: string): Promise<ResolvedShare | null> {
    if (!TOKEN.test(token)) return null;
    const rows: ResolvedRow[] = await this.dataSource.query(
      `SELECT s.id AS share_id, s.expires_at AS share_expires_at, r.id, r.user_id, r.trial_id, r.session_id, r.run_name, r.title, r.metrics, r.created_at, r.completed_at, r.expires_at,
              COALESCE((SELECT json_agg(json_build_object('id', a.id, 'name', a.name, 'size', a.size, 'sha256', a.sha256, 'contentType', a.content_type, 'storageKey', a.storage_key, 'createdAt', a.created_at) ORDER BY a.name)
                          FROM artifacts a WHERE a.result_id = r.id), '[]'::json) AS artifacts
         FROM share_links s JOIN results r ON r.id = s.result_id
        WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND (s.expires_at IS NULL OR s.expires_at > now())
          AND r.state = 'complete' AND (r.expires_at IS NULL OR r.expires_at > now())`,
      [sha256(token)],
    );
    if (!rows.length) return null;
    const row = rows[0];
    const share = Object.assign(new ShareLinkEntity(), { id: row.share_id, resultId: row.id, expiresAt: row.share_expires_at, revokedAt: null });
    const result = Object.assign(new ResultEntity(), {
      id: row.id, userId: row.user_id, trialId: row.trial_id, sessionId: row.session_id, runName: row.run_name, title: row.title, state: 'complete' as const,
      metrics: row.metrics, createdAt: row.created_at, completedAt: row.completed_at, expiresAt: row.expires_at,
    });
    const artifacts = row.artifacts.map((a) => Object.assign(new ArtifactEntity(), { ...a, resultId: row.id, size: Number(a.size), createdAt: new Date(a.createdAt) }));
    return { share, result, artifacts };
  }

  /** Where try-it sends a photo, when the result has a model that can classify one (its full-model export). */
  predictUrl(token: string, found: ResolvedShare): string | null {
    return found.artifacts.some((a) => a.name === FULL_MODEL_JSON) ? `/share/${token}/predict` : null;
  }

  countView(share: ShareLinkEntity): void {
    this.views.count(share.id);
  }

  /** The shared result with links under `/share/<token>`, and the notebooks rendered safely. */
  async build(token: string, { share, result, artifacts }: ResolvedShare): Promise<{ shared: SharedResult; notebooks: ParsedContent['notebooks']; misclassified: MisclassifiedView[] }> {
    const base = `/share/${token}`;
    const fileUrl = (name: string) => `${base}/files/${encodePath(name)}`;
    const content = await this.content(result.id, artifacts);
    const report = artifacts.find((a) => a.name === 'report.html') ?? artifacts.find((a) => !a.name.includes('/') && /\.html?$/i.test(a.name));
    const expiries = [share.expiresAt, result.expiresAt].filter((d): d is Date => d !== null).map((d) => d.getTime());
    const shared: SharedResult = {
      title: result.title,
      createdAt: (result.completedAt ?? result.createdAt).toISOString(),
      expiresAt: expiries.length ? new Date(Math.min(...expiries)).toISOString() : null,
      metrics: result.metrics as ResultMetrics | null,
      artifacts: artifacts.map((a) => ({ ...toArtifactView(a), url: fileUrl(a.name) })),
      history: content.history,
      confusion: content.confusion,
      beforeAfter: content.beforeAfter.map(({ imageName, ...row }) => ({ ...row, imageUrl: imageName ? fileUrl(imageName) : null })),
      notebooks: artifacts.filter((a) => /\.ipynb$/i.test(a.name)).map((a) => ({ name: a.name, url: fileUrl(a.name) })),
      report: report ? { name: report.name, url: fileUrl(report.name), frameUrl: `${base}/report` } : null,
      downloadUrl: `${base}/download`,
    };
    const names = new Set(artifacts.map((a) => a.name));
    const misclassified = content.misclassified.map((row) => ({ ...row, imageUrl: row.file && names.has(row.file) && IMAGE.test(row.file) ? fileUrl(row.file) : null }));
    return { shared, notebooks: content.notebooks, misclassified };
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
      misclassified: readMisclassifiedRows(await this.readJson(byName.get('misclassified.json'))),
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
