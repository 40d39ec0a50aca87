import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type { Transporter } from 'nodemailer';
import { AppConfig } from '../config/app-config';

export interface Mail { to: string; subject: string; text: string }

/** Sends mail over SMTP_URL; without SMTP the mail goes to the log, so a local install still shows the links. */
@Injectable()
export class MailService implements OnModuleDestroy {
  private readonly logger = new Logger('Mail');
  private readonly transport: Transporter | null;
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly config: AppConfig) {
    // nodemailer is loaded only when there is an SMTP server to talk to.
    this.transport = config.mail.smtpUrl ? (require('nodemailer') as typeof import('nodemailer')).createTransport(config.mail.smtpUrl) : null;
  }

  async send(mail: Mail): Promise<void> {
    if (!this.transport) {
      this.logger.log({ mail }, `Mail to ${mail.to} (no SMTP_URL configured, so it is only logged): ${mail.subject}\n${mail.text}`);
      return;
    }
    try {
      await this.transport.sendMail({ from: this.config.mail.from, ...mail });
    } catch (err) {
      // A mail server hiccup must not fail the user's request; the log keeps the detail.
      this.logger.error({ err, to: mail.to, subject: mail.subject }, 'Could not send mail');
    }
  }

  /**
   * Sends without making the caller wait: an answer that must not reveal whether a mail went out
   * (sign-up, password reset) takes as long either way. Shutdown waits for these mails.
   */
  sendInBackground(mail: Mail): void {
    const sending = this.send(mail).finally(() => this.pending.delete(sending));
    this.pending.add(sending);
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.allSettled([...this.pending]);
    this.transport?.close();
  }
}
