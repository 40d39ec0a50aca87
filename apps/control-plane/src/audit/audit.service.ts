import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditEventEntity } from '../database/entities';

export interface AuditActor { id: string | null; email: string | null }
export const SYSTEM_ACTOR: AuditActor = { id: null, email: 'system' };

/** Records who did what to whom. Pass the transaction's manager so the record commits with the change. */
@Injectable()
export class AuditService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async record(
    actor: AuditActor,
    action: string,
    target: { type: string; id: string } | null,
    details: Record<string, unknown> = {},
    manager: EntityManager = this.dataSource.manager,
  ): Promise<void> {
    await manager.insert(AuditEventEntity, {
      actorId: actor.id,
      actorEmail: actor.email,
      action,
      targetType: target?.type ?? null,
      targetId: target?.id ?? null,
      details: details as object,
    });
  }

  /** One action on many targets, in one statement (set-based work such as a mass teardown). */
  async recordMany(actor: AuditActor, action: string, targets: Array<{ type: string; id: string }>, manager: EntityManager = this.dataSource.manager): Promise<void> {
    if (!targets.length) return;
    await manager.insert(
      AuditEventEntity,
      targets.map((target) => ({ actorId: actor.id, actorEmail: actor.email, action, targetType: target.type, targetId: target.id, details: {} })),
    );
  }
}
