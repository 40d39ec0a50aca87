import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { UserEntity } from '../database/entities';
import { UsersService } from './users.service';

/** ADMIN_EMAIL/ADMIN_PASSWORD: the admin account is created, or updated to that password and role, at every start. */
@Injectable()
export class BootstrapAdmin {
  private readonly logger = new Logger('BootstrapAdmin');

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
