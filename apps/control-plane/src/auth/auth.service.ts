import { BadRequestException, ConflictException, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import type { AccountView, AuthResponse, MeResponse, SignupPendingResponse } from '@trialhub/contracts';
import { AuditService } from '../audit/audit.service';
import { randomToken, sha256 } from '../common/crypto';
import { AppConfig } from '../config/app-config';
import { AuthTokenEntity, TrialEntity, UserEntity, UserTokenEntity } from '../database/entities';
import type { UserTokenPurpose } from '../database/entities/user-token.entity';
import { MailService } from '../mail/mail.service';
import { QuotasService } from '../quotas/quotas.service';
import { TrialsService } from '../trials/trials.service';
import { BootstrapAdmin } from '../users/bootstrap-admin';
import { normaliseEmail, toUserView, UsersService } from '../users/users.service';
import { AuthTokenCache } from './auth-token-cache';
import type { AuthUser } from './auth-user';
import { AUTH_TOKEN_TTL_MS, csrfTokenFor } from './cookies';

const VERIFY_TTL_MS = 48 * 3600 * 1000;
const RESET_TTL_MS = 3600 * 1000;

@Injectable()
export class AuthService {
  /** Checked against when the email is unknown, so a failed log-in takes as long either way (made on the first such log-in, not at start). */
  private dummyHash: Promise<string> | undefined;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly users: UsersService,
    private readonly trials: TrialsService,
    private readonly quotas: QuotasService,
    private readonly mail: MailService,
    private readonly audit: AuditService,
    private readonly tokenCache: AuthTokenCache,
    private readonly bootstrapAdmin: BootstrapAdmin,
  ) {}

  /**
   * Signs a person up. With email verification required, the answer is the same whether or not
   * the address has an account ("check your inbox"): a new address gets the verification mail,
   * an existing one a mail telling its owner that someone tried. Both paths hash the password,
   * write one token and send one mail in the background, so they also take about as long.
   * With verification off nothing proves who owns the address, so sign-up logs the new user in
   * at once and must refuse an existing address (409): then sign-up does reveal which addresses
   * have accounts (the README says so; the owner still gets the mail).
   */
  async signup(email: string, password: string): Promise<AuthResponse | SignupPendingResponse> {
    await this.bootstrapAdmin.settled;
    await this.assertDomainAllowed(email);
    const required = this.config.mail.verification === 'required';
    let created: { user: UserEntity; token: string | null; trial: TrialEntity };
    try {
      created = await this.dataSource.transaction(async (manager) => {
        const user = await this.users.create({ email, password }, manager);
        const trial = await this.trials.createForUser(user.id, manager);
        await this.audit.record({ id: user.id, email: user.email }, 'user.signup', { type: 'user', id: user.id }, {}, manager);
        return { user, trial, token: required ? null : await this.issueToken(user.id, manager) };
      });
      this.trials.logCreated(created.trial, 'at sign-up', true);
    } catch (err) {
      if (!(err instanceof ConflictException)) throw err;
      await this.tellOwnerOfSignupAttempt(email);
      if (!required) throw err;
      return this.checkInbox(email);
    }
    if (!created.token) {
      await this.sendVerification(created.user);
      return this.checkInbox(email);
    }
    return this.authResponse(created.user, created.token);
  }

  async login(email: string, password: string): Promise<AuthResponse> {
    await this.bootstrapAdmin.settled;
    const user = await this.users.findByEmail(email);
    const ok = await this.users.verifyPassword(user?.passwordHash ?? (await this.dummyPasswordHash()), password);
    if (!user || !ok) throw new UnauthorizedException('Wrong email or password.');
    if (user.suspendedAt) throw new ForbiddenException('This account is suspended. Contact the Trialhub team if you think this is a mistake.');
    return this.authResponse(user, await this.issueToken(user.id));
  }

  private dummyPasswordHash(): Promise<string> {
    return (this.dummyHash ??= this.users.hashPassword(randomToken()));
  }

  async logout(auth: AuthUser): Promise<void> {
    await this.dataSource.manager.delete(AuthTokenEntity, { id: auth.tokenId });
    this.tokenCache.forgetToken(auth.tokenHash);
  }

  /** Ends every log-in of the account (other browsers, API clients, and the notebook cookies handed off from them). */
  async logoutEverywhere(auth: AuthUser): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.delete(AuthTokenEntity, { userId: auth.id });
      await this.audit.record({ id: auth.id, email: auth.email }, 'user.logout-everywhere', { type: 'user', id: auth.id }, {}, manager);
    });
    this.tokenCache.forgetUser(auth.id);
  }

  async me(auth: AuthUser): Promise<MeResponse> {
    const user = await this.dataSource.manager.findOneOrFail(UserEntity, { where: { id: auth.id } });
    return { user: this.accountView(user), csrfToken: auth.via === 'cookie' ? csrfTokenFor(this.config.secret, auth.tokenHash) : null };
  }

  /**
   * Resolves a bearer or cookie token to its user; suspended users are refused. This runs on
   * every API call: token and user come in one round trip, and a checked token is trusted for
   * a second (AuthTokenCache).
   */
  async authenticate(token: string, via: AuthUser['via']): Promise<AuthUser> {
    const tokenHash = sha256(token);
    const cached = this.tokenCache.get(tokenHash);
    if (cached) return { ...cached, via };
    const [row]: Array<{ token_id: string; expires_at: Date; id: string; email: string; role: AuthUser['role']; verified: boolean; suspended: boolean }> = await this.dataSource.query(
      `SELECT t.id AS token_id, t.expires_at, u.id, u.email, u.role, u.verified_at IS NOT NULL AS verified, u.suspended_at IS NOT NULL AS suspended
       FROM auth_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1 AND t.expires_at > now()`,
      [tokenHash],
    );
    if (!row) throw new UnauthorizedException('Your log-in has expired or was ended. Log in again.');
    if (row.suspended) throw new ForbiddenException('This account is suspended. Contact the Trialhub team if you think this is a mistake.');
    const user = { id: row.id, email: row.email, role: row.role, verified: row.verified, tokenId: row.token_id, tokenHash };
    this.tokenCache.set(user, row.expires_at);
    return { ...user, via };
  }

  async verifyEmail(token: string): Promise<void> {
    const row = await this.consumeUserToken(token, 'verify-email');
    await this.dataSource.manager.update(UserEntity, { id: row.userId, verifiedAt: IsNull() }, { verifiedAt: new Date() });
    this.tokenCache.forgetUser(row.userId);
  }

  async resendVerification(auth: AuthUser): Promise<void> {
    const user = await this.dataSource.manager.findOneOrFail(UserEntity, { where: { id: auth.id } });
    if (user.verifiedAt) throw new BadRequestException('Your email address is already verified.');
    if (this.config.mail.verification === 'off') throw new BadRequestException('Email verification is not required here: there is nothing to confirm.');
    await this.sendVerification(user);
  }

  /** Always succeeds, and the mail goes in the background, so neither answer nor timing reveals whether an account exists. */
  async requestPasswordReset(email: string): Promise<void> {
    const user = await this.users.findByEmail(email);
    if (!user || user.suspendedAt) return;
    const token = await this.createUserToken(user.id, 'reset-password', RESET_TTL_MS);
    this.mail.sendInBackground({
      to: user.email,
      subject: 'Reset your Trialhub password',
      text: `Someone asked to reset the password of your Trialhub account.\n\nSet a new one here (the link works for one hour, once):\n${this.config.publicUrl}/reset-password?token=${token}\n\nIf it was not you, ignore this mail; your password stays as it is.\n`,
    });
  }

  /** Sets the new password and ends every log-in of the account. */
  async confirmPasswordReset(token: string, password: string): Promise<void> {
    const userId = await this.dataSource.transaction(async (manager) => {
      const row = await this.consumeUserToken(token, 'reset-password', manager);
      await manager.update(UserEntity, { id: row.userId }, { passwordHash: await this.users.hashPassword(password), verifiedAt: () => 'COALESCE(verified_at, now())' });
      await manager.delete(AuthTokenEntity, { userId: row.userId });
      await this.audit.record({ id: row.userId, email: null }, 'user.password-reset', { type: 'user', id: row.userId }, {}, manager);
      return row.userId;
    });
    this.tokenCache.forgetUser(userId);
  }

  /** Changes the password and ends every other log-in. */
  async changePassword(auth: AuthUser, currentPassword: string, newPassword: string): Promise<void> {
    const user = await this.dataSource.manager.findOneOrFail(UserEntity, { where: { id: auth.id } });
    if (!(await this.users.verifyPassword(user.passwordHash, currentPassword))) {
      const wrong = 'The current password is wrong.';
      throw new BadRequestException({ message: wrong, details: [wrong], fields: { currentPassword: [wrong] } });
    }
    await this.dataSource.transaction(async (manager) => {
      await manager.update(UserEntity, { id: user.id }, { passwordHash: await this.users.hashPassword(newPassword) });
      await manager.createQueryBuilder().delete().from(AuthTokenEntity).where('user_id = :u AND id <> :t', { u: user.id, t: auth.tokenId }).execute();
    });
    this.tokenCache.forgetUser(user.id);
  }

  async issueToken(userId: string, manager: EntityManager = this.dataSource.manager): Promise<string> {
    const token = randomToken();
    await manager.insert(AuthTokenEntity, { userId, tokenHash: sha256(token), expiresAt: new Date(Date.now() + AUTH_TOKEN_TTL_MS) });
    return token;
  }

  csrfFor(token: string): string {
    return csrfTokenFor(this.config.secret, sha256(token));
  }

  private authResponse(user: UserEntity, token: string): AuthResponse {
    return { user: this.accountView(user), token, csrfToken: this.csrfFor(token) };
  }

  private accountView(user: UserEntity): AccountView {
    return { ...toUserView(user), verificationRequired: this.config.mail.verification === 'required' };
  }

  private async assertDomainAllowed(email: string): Promise<void> {
    const domain = normaliseEmail(email).split('@').pop() ?? '';
    const quotas = await this.quotas.current();
    const matches = (list: string[]) => list.some((d) => domain === d.toLowerCase() || domain.endsWith(`.${d.toLowerCase()}`));
    if (quotas.blockedEmailDomains.length && matches(quotas.blockedEmailDomains)) throw new ForbiddenException(`Sign-ups from ${domain} are not accepted.`);
    if (quotas.allowedEmailDomains.length && !matches(quotas.allowedEmailDomains)) {
      throw new ForbiddenException(`Sign-ups are open to ${quotas.allowedEmailDomains.join(', ')} addresses only.`);
    }
  }

  private checkInbox(email: string): SignupPendingResponse {
    return { pending: true, message: `Check your inbox at ${normaliseEmail(email)}: we sent a mail to finish signing up. Confirm your address with its link, then log in.` };
  }

  /** The owner of an address someone tried to sign up with: a way in (log in, or reset), and nothing changed. */
  private async tellOwnerOfSignupAttempt(email: string): Promise<void> {
    const user = await this.users.findByEmail(email);
    if (!user) return;
    const reset = user.suspendedAt
      ? ''
      : `Forgot your password? Choose a new one here (the link works for one hour, once):\n${this.config.publicUrl}/reset-password?token=${await this.createUserToken(user.id, 'reset-password', RESET_TTL_MS)}\n\n`;
    this.mail.sendInBackground({
      to: user.email,
      subject: 'Someone tried to sign up to Trialhub with your address',
      text: `Someone, maybe you, tried to create a Trialhub account with this address. It already has one, so nothing was changed.\n\nLog in here: ${this.config.publicUrl}/login\n\n${reset}If it was not you, ignore this mail; your account stays as it is.\n`,
    });
  }

  private async sendVerification(user: UserEntity): Promise<void> {
    const token = await this.createUserToken(user.id, 'verify-email', VERIFY_TTL_MS);
    this.mail.sendInBackground({
      to: user.email,
      subject: 'Verify your Trialhub email address',
      text: `Welcome to Trialhub!\n\nConfirm your email address to launch GPU notebooks (the link works for 48 hours):\n${this.config.publicUrl}/verify-email?token=${token}\n\nThen log in with the password you chose: ${this.config.publicUrl}/login\n\nIf you did not sign up, ignore this mail.\n`,
    });
  }

  private async createUserToken(userId: string, purpose: UserTokenPurpose, ttlMs: number): Promise<string> {
    const token = randomToken();
    await this.dataSource.manager.insert(UserTokenEntity, { userId, purpose, tokenHash: sha256(token), expiresAt: new Date(Date.now() + ttlMs) });
    return token;
  }

  private async consumeUserToken(token: string, purpose: UserTokenPurpose, manager: EntityManager = this.dataSource.manager): Promise<UserTokenEntity> {
    const rows: UserTokenEntity[] = await manager
      .createQueryBuilder(UserTokenEntity, 't')
      .update()
      .set({ usedAt: () => 'now()' })
      .where('token_hash = :h AND purpose = :p AND used_at IS NULL AND expires_at > now()', { h: sha256(token), p: purpose })
      .returning(['id', 'userId'])
      .execute()
      .then((r) => r.raw.map((x: { id: string; user_id: string }) => ({ id: x.id, userId: x.user_id }) as UserTokenEntity));
    if (!rows.length) {
      throw new BadRequestException(purpose === 'verify-email' ? 'This verification link is invalid, used or expired. Ask for a new one from your account page.' : 'This reset link is invalid, used or expired. Ask for a new one.');
    }
    return rows[0];
  }
}
