import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { ProfileEntity, SessionEntity, TrialEntity } from '../database/entities';
import { SessionsRepository } from '../repositories/sessions.repository';
import { WorkspacesRepository } from '../repositories/workspaces.repository';
import { SESSION_RUNTIME, SessionRuntime } from '../runtime/session-runtime';
import { SessionObserver } from './session-observer';
import { buildSessionSpec } from './session-spec';
import { SessionTokens } from './session-tokens';

/** Provisioning: workspace, secret, pod and service for an admitted session, then `starting`. */
@Injectable()
export class SessionLauncher {
  constructor(
    private readonly sessions: SessionsRepository,
    private readonly workspaces: WorkspacesRepository,
    @Inject(SESSION_RUNTIME) private readonly runtime: SessionRuntime,
    private readonly config: AppConfig,
    private readonly tokens: SessionTokens,
    private readonly observer: SessionObserver,
  ) {}

  /** Idempotent (credentials derive from the secret and the generation): a crash half-way neither orphans nor duplicates a pod. */
  async provision(s: SessionEntity): Promise<number | null> {
    // PORT=0 and not listening yet (a restart with sessions to launch): the upload URL the
    // session would get names no port. It is known as soon as the server is bound.
    if (this.config.port === 0 || this.config.uploadPort === 0) return 200;
    const trial = await this.sessions.manager.findOneOrFail(TrialEntity, { where: { id: s.trialId } });
    const profile = await this.sessions.manager.findOneOrFail(ProfileEntity, { where: { name: s.profileName } });
    const workspaceSize = this.config.runtime.workspaceSize;
    await this.runtime.ensureWorkspace({ trialId: s.trialId, userId: s.userId, storage: workspaceSize });
    await this.workspaces.markReady(s.trialId, s.userId, workspaceSize);
    const spec = buildSessionSpec(s, trial, profile, {
      jupyterToken: this.tokens.jupyterToken(s.id, s.generation),
      uploadToken: this.tokens.uploadToken(s.id, s.generation),
      uploadUrl: this.config.runtime.sessionUploadUrl,
    }, this.config.publicUrl);
    await this.runtime.launch(spec);
    await this.sessions.transaction((m) => this.sessions.transition(m, s, { to: 'starting', reason: 'launched', message: 'The notebook is starting' }));
    // The runtime's events drive it from here; the timer is a backstop for a missed event.
    return this.observer.observe(s).then((next) => next ?? 5000);
  }
}
