import { ConfigError } from './environment';

/** Host names a browser resolves to this machine: the embedded default serves notebooks on `<id>.localhost`. */
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

const DEFAULT_PORTS: Record<string, string> = { 'http:': '80', 'https:': '443' };

/** `host[:port]` as a browser sends it in Host: lower case, without the scheme's default port. */
export function normaliseHost(host: string, protocol: string): string {
  const lower = host.toLowerCase();
  const port = DEFAULT_PORTS[protocol];
  return port && lower.endsWith(`:${port}`) ? lower.slice(0, -(port.length + 1)) : lower;
}

const hostnameOf = (host: string) => (host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0]);

export const defaultNotebookDomain = (port: number) => `localhost:${port}`;

/**
 * The notebook domain: session S is served from `<scheme>://<S>.<domain>/` (scheme = PUBLIC_URL's).
 * With a loopback PUBLIC_URL it defaults to `localhost:<port>` (stock browsers resolve
 * `*.localhost` to loopback); anywhere else it must be configured. The portal's own host is
 * refused (its subdomains would be the portal's site) except for `localhost`, where Chromium
 * keeps every `*.localhost` a site of its own and refuses `Domain=localhost` cookies (docs/architecture.md).
 */
export function resolveNotebookDomain(configured: string | undefined, publicUrl: string, port: number): { domain: string; derived: boolean } {
  const url = new URL(publicUrl);
  const portalHost = normaliseHost(url.host, url.protocol);
  if (!configured) {
    if (LOOPBACK.has(url.hostname.toLowerCase())) return { domain: defaultNotebookDomain(port), derived: true };
    throw new ConfigError(
      `Invalid configuration:\n  - NOTEBOOK_DOMAIN is required when PUBLIC_URL (${publicUrl}) is not on this machine: each notebook is served from <session-id>.<NOTEBOOK_DOMAIN>, a wildcard DNS name (a registrable domain apart from the portal's is recommended)`,
    );
  }
  const domain = normaliseHost(configured, url.protocol);
  if (domain === portalHost && hostnameOf(domain) !== 'localhost') {
    throw new ConfigError(`Invalid configuration:\n  - NOTEBOOK_DOMAIN must not be the portal's own host (${portalHost}): notebooks would share the portal's site; use a domain of their own such as notebooks-example.org`);
  }
  return { domain, derived: false };
}

/**
 * Whether the portal and the notebook domain share a parent domain (the same site): a notebook
 * page could then set cookies for the parent that the portal receives (cookie tossing). A rough
 * test (the last two labels), good enough for a start-up warning; loopback and IPs never warn.
 */
export function sharesParentDomain(publicUrl: string, notebookDomain: string): boolean {
  const portal = new URL(publicUrl).hostname.toLowerCase();
  const notebooks = hostnameOf(notebookDomain);
  const isIp = (h: string) => /^[\d.]+$/.test(h) || h.startsWith('[');
  // Every *.localhost name is a site of its own in Chromium, which refuses Domain=localhost cookies (docs/architecture.md).
  const local = (h: string) => h === 'localhost' || h.endsWith('.localhost');
  if (local(portal) || local(notebooks) || isIp(portal) || isIp(notebooks)) return false;
  const parent = (h: string) => h.split('.').slice(-2).join('.');
  return parent(portal) === parent(notebooks);
}
