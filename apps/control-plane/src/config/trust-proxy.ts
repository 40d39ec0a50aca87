import { isIP } from 'node:net';

/** What Express's `trust proxy` gets: nothing, a hop count, or the addresses/CIDRs of the proxies. */
export type TrustProxy = false | number | string[];

/** Names Express (proxy-addr) knows for address ranges. */
const NAMED_RANGES = ['loopback', 'linklocal', 'uniquelocal'];

const HOW = 'write the number of proxies in front of Trialhub (e.g. 1), or the addresses or CIDRs of those proxies (e.g. 10.0.0.0/8,loopback), or false';

function isAddressOrCidr(entry: string): boolean {
  if (NAMED_RANGES.includes(entry)) return true;
  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (!family || rest.length) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * Parses TRUST_PROXY. `true` ("trust every X-Forwarded-For") is refused: a session pod can reach
 * the API directly and would choose its own address, lifting every per-address rate limit.
 * Returns the value, or a sentence naming the variable and what to write instead.
 */
export function parseTrustProxy(raw: string | undefined): { value: TrustProxy } | { problem: string } {
  const value = (raw ?? '').trim().toLowerCase();
  if (value === '' || value === 'false' || value === '0') return { value: false };
  if (value === 'true') return { problem: `TRUST_PROXY=true would trust any X-Forwarded-For header, so any client could pick its own address; instead ${HOW}` };
  if (/^\d+$/.test(value)) return { value: Number(value) };
  const entries = value.split(',').map((e) => e.trim()).filter(Boolean);
  const bad = entries.filter((e) => !isAddressOrCidr(e));
  if (bad.length || !entries.length) return { problem: `TRUST_PROXY has ${bad.length ? `${bad.map((b) => JSON.stringify(b)).join(', ')}, which is not an address or CIDR` : 'no entries'}: ${HOW}` };
  return { value: entries };
}
