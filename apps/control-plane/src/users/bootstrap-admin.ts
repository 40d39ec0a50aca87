import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { UserEntity } from '../database/entities';
import { UsersService } from './users.service';

/**
 * ADMIN_EMAIL/ADMIN_PASSWORD: the admin account is created, or updated to that password and role,
 * at every start. It runs beside the listening server (argon2 takes a few hundred ms of a start):
 * sign-up and log-in wait for `settled`, so nobody logs in as, or signs up with, the admin's
 * address before the account is what the configuration says.
 */
@Injectable()
export class BootstrapAdmin {
  private readonly logger = new Logger('BootstrapAdmin');
  private done: Promise<void> = Promise.resolve();

  /** Resolves once the admin step has finished (whether or not it succeeded: start-up reports a failure). */
  get settled(): Promise<void> {
    return this.done;
  }

  /** Starts the admin step; the returned promise rejects when it fails. */
  start(): Promise<void> {
    const run = this.run();
    this.done = run.catch(() => undefined);
    return run;
  }

  constructor(
    private readonly config: AppConfig,
    private readonly users: UsersService,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  async run(): Promise<void> {
    const { email, password } = this.config.admin;
    if (!email || !password) return;
    const existing = await this.users.findByEmail(email);
    if (existing) {
      const samePassword = await this.users.verifyPassword(existing.passwordHash, password);
      await this.dataSource.manager.update(UserEntity, { id: existing.id }, {
        role: 'admin',
        suspendedAt: null,
        verifiedAt: existing.verifiedAt ?? new Date(),
        ...(samePassword ? {} : { passwordHash: await this.users.hashPassword(password) }),
      });
      this.logger.log(`Admin ${email} is ready`);
      return;
    }
    await this.users.create({ email, password, role: 'admin', verified: true });
    this.logger.log(`Created the admin account ${email}`);
  }
}
