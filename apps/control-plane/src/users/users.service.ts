import { ConflictException, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import * as argon2 from 'argon2';
import { DataSource, EntityManager } from 'typeorm';
import type { UserRole, UserView } from '@trialhub/contracts';
import { UserEntity } from '../database/entities';

export const normaliseEmail = (email: string): string => email.trim().toLowerCase();

export function toUserView(user: UserEntity): UserView {
  return {
    id: user.id,
    email: user.email,
    role: user.role,
    verified: user.verifiedAt !== null,
    suspended: user.suspendedAt !== null,
    createdAt: user.createdAt.toISOString(),
  };
}

@Injectable()
export class UsersService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  hashPassword(password: string): Promise<string> {
    return argon2.hash(password, { type: argon2.argon2id });
  }

  async verifyPassword(hash: string, password: string): Promise<boolean> {
    try {
      return await argon2.verify(hash, password);
    } catch {
      return false;
    }
  }

  findByEmail(email: string, manager: EntityManager = this.dataSource.manager): Promise<UserEntity | null> {
    return manager.findOne(UserEntity, { where: { email: normaliseEmail(email) } });
  }

  findById(id: string, manager: EntityManager = this.dataSource.manager): Promise<UserEntity | null> {
    return manager.findOne(UserEntity, { where: { id } });
  }

  async create(
    input: { email: string; password: string; role?: UserRole; verified?: boolean },
    manager: EntityManager = this.dataSource.manager,
  ): Promise<UserEntity> {
    const email = normaliseEmail(input.email);
    const passwordHash = await this.hashPassword(input.password);
    // The unique index decides races; ON CONFLICT keeps the transaction usable.
    const rows: Array<{ id: string }> = await manager.query(
      `INSERT INTO users (email, password_hash, role, verified_at) VALUES ($1, $2, $3, $4) ON CONFLICT (email) DO NOTHING RETURNING id`,
      [email, passwordHash, input.role ?? 'user', input.verified ? new Date() : null],
    );
    if (rows.length === 0) throw new ConflictException('An account with this email already exists. Log in, or reset your password.');
    return (await manager.findOneOrFail(UserEntity, { where: { id: rows[0].id } }));
  }
}
