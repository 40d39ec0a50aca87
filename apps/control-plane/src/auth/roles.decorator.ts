import { SetMetadata } from '@nestjs/common';
import type { UserRole } from '@trialhub/contracts';

export const ROLES = 'trialhub:roles';
export const Roles = (...roles: UserRole[]) => SetMetadata(ROLES, roles);
