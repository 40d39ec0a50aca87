import { GoneException, Injectable, UnauthorizedException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { SLOT_HOLDING_STATES } from '@trialhub/contracts';
import { SessionEntity } from '../database/entities';
import { SessionTokens } from '../sessions/session-tokens';

/** The pod's preStop hook uploads while the session is stopping, so every state that still holds a pod may upload. */
const UPLOAD_STATES: readonly string[] = SLOT_HOLDING_STATES;

/**
 * Resolves the session behind an upload request. Only the session's own upload token
 * counts (never a user's cookie or API token): it names the session and its launch.
 */
@Injectable()
export class UploadSessions {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tokens: SessionTokens,
  ) {}

  /** The session an `Authorization: Bearer <upload token>` header belongs to, if it may upload now. */
  async authorize(authorization: string | undefined, manager: EntityManager = this.dataSource.manager): Promise<SessionEntity> {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!m) throw new UnauthorizedException('Uploads need the session\'s upload token: send "Authorization: Bearer <upload token>" (TRIALHUB_UPLOAD_TOKEN in the notebook).');
    const parsed = this.tokens.parseUploadToken(m[1]);
    if (!parsed) throw new UnauthorizedException('This upload token is not valid. Use the TRIALHUB_UPLOAD_TOKEN of the running session.');
    const session = await manager.findOne(SessionEntity, { where: { id: parsed.sessionId } });
    if (!session) throw new UnauthorizedException('This upload token belongs to a session that no longer exists.');
    if (session.generation !== parsed.generation) {
      throw new UnauthorizedException('This upload token belongs to an earlier launch of the session; use the token of the current launch.');
    }
    if (!UPLOAD_STATES.includes(session.state)) throw new GoneException('This session has ended; uploads are closed.');
    return session;
  }

  /** Re-checks inside the commit's transaction, so a file is never saved to a session that ended meanwhile. */
  async assertStillOpen(manager: EntityManager, sessionId: string): Promise<void> {
    const rows: Array<{ state: string }> = await manager.query(`SELECT state FROM sessions WHERE id = $1 FOR SHARE`, [sessionId]);
    if (!rows.length || !UPLOAD_STATES.includes(rows[0].state)) throw new GoneException('This session has ended; uploads are closed.');
  }
}
