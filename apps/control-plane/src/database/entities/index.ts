import { ArtifactEntity } from './artifact.entity';
import { AuditEventEntity } from './audit-event.entity';
import { AuthTokenEntity } from './auth-token.entity';
import { NotebookCredentialEntity } from './notebook-credential.entity';
import { NotebookHandoffEntity } from './notebook-handoff.entity';
import { ProfileEntity } from './profile.entity';
import { ResultEntity } from './result.entity';
import { SessionEventEntity } from './session-event.entity';
import { SessionEntity } from './session.entity';
import { SettingEntity } from './setting.entity';
import { ShareLinkEntity } from './share-link.entity';
import { TrialEntity } from './trial.entity';
import { UserQuotaEntity } from './user-quota.entity';
import { UserTokenEntity } from './user-token.entity';
import { UserEntity } from './user.entity';
import { WorkspaceEntity } from './workspace.entity';

export {
  ArtifactEntity, AuditEventEntity, AuthTokenEntity, ProfileEntity, ResultEntity, SessionEventEntity, SessionEntity,
  SettingEntity, ShareLinkEntity, TrialEntity, UserQuotaEntity, UserTokenEntity, UserEntity, WorkspaceEntity,
};
export { NotebookCredentialEntity, NotebookHandoffEntity };

export const ENTITIES = [
  UserEntity, AuthTokenEntity, UserTokenEntity, TrialEntity, WorkspaceEntity, ProfileEntity, SessionEntity,
  SessionEventEntity, ResultEntity, ArtifactEntity, ShareLinkEntity, SettingEntity, UserQuotaEntity, AuditEventEntity,
  NotebookHandoffEntity, NotebookCredentialEntity,
];
