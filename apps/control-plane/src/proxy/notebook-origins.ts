import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { normaliseHost } from '../config/notebook-domain';

const SESSION_LABEL = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Where a request was sent, by its Host header. */
export type HostRoute =
  /** The portal (and anything not under the notebook domain: 127.0.0.1, a load balancer's health check). */
  | { kind: 'portal' }
  /** One session's own origin, `<id>.<NOTEBOOK_DOMAIN>`. */
  | { kind: 'notebook'; sessionId: string; origin: string }
  /** Under the notebook domain but no session's name: answered 404, never by the portal. */
  | { kind: 'unknown-notebook-host' };

/** Session S's notebook lives on its own origin, `<PUBLIC_URL's scheme>://<S>.<NOTEBOOK_DOMAIN>` (docs/architecture.md "Notebook origins"). */
@Injectable()
export class NotebookOrigins {
  constructor(private readonly config: AppConfig) {}

  get secure(): boolean {
    return this.config.publicUrl.startsWith('https://');
  }

  /** `__Host-` on https: such a cookie cannot be set with a Domain attribute, so no sibling origin can plant or shadow it. */
  get cookieName(): string {
    return this.secure ? '__Host-trialhub_notebook' : 'trialhub_notebook';
  }

  origin(sessionId: string): string {
    return `${this.secure ? 'https' : 'http'}://${sessionId}.${this.config.notebookDomain}`;
  }

  route(host: string | undefined): HostRoute {
    if (!host) return { kind: 'portal' };
    const normalised = normaliseHost(host, this.secure ? 'https:' : 'http:');
    const suffix = `.${this.config.notebookDomain}`;
    if (!normalised.endsWith(suffix)) return { kind: 'portal' };
    const label = normalised.slice(0, -suffix.length);
    if (!SESSION_LABEL.test(label)) return { kind: 'unknown-notebook-host' };
    return { kind: 'notebook', sessionId: label, origin: this.origin(label) };
  }
}
