import { Global, Module } from '@nestjs/common';
import { SessionsRepository } from './sessions.repository';
import { TrialsRepository } from './trials.repository';
import { WorkspacesRepository } from './workspaces.repository';

/** The SQL that writes sessions, trials and workspaces (Immich's pattern: technology here, decisions in services). */
@Global()
@Module({ providers: [SessionsRepository, TrialsRepository, WorkspacesRepository], exports: [SessionsRepository, TrialsRepository, WorkspacesRepository] })
export class RepositoriesModule {}
