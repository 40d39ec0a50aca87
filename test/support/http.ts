/** The Set-Cookie headers of a response (Node's fetch has `getSetCookie`; the DOM typings may not). */
export const setCookies = (headers: Headers): string[] => (headers as unknown as { getSetCookie(): string[] }).getSetCookie();

/** A small HTTP client for e2e tests: real fetch, with a cookie jar and the CSRF header like the portal sends it. */
export class ApiClient {
  private readonly cookies = new Map<string, string>();
  bearer: string | null = null;

  constructor(readonly baseUrl: string) {}

  get csrf(): string | undefined {
    return this.cookies.get('trialhub_csrf');
  }

  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any; headers: Headers; text: string }> {
    const h: Record<string, string> = { ...headers };
    if (body !== undefined && !h['content-type']) h['content-type'] = 'application/json';
    if (this.cookies.size) h.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (this.bearer) h.authorization = `Bearer ${this.bearer}`;
    if (this.csrf && !['GET', 'HEAD'].includes(method) && !h['x-csrf-token']) h['x-csrf-token'] = this.csrf;
    const res = await fetch(this.baseUrl + path, { method, headers: h, body: body === undefined ? undefined : typeof body === 'string' || body instanceof Uint8Array ? (body as any) : JSON.stringify(body), redirect: 'manual' });
    for (const c of setCookies(res.headers)) {
      const [pair, ...attrs] = c.split(';');
      const [k, ...v] = pair.split('=');
      const value = v.join('=');
      const expired = attrs.some((a: string) => /expires=Thu, 01 Jan 1970/i.test(a)) || value === '';
      if (expired) this.cookies.delete(k.trim());
      else this.cookies.set(k.trim(), value);
    }
    const text = await res.text();
    let parsed: any = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed, headers: res.headers, text };
  }

  get = (path: string, headers?: Record<string, string>) => this.request('GET', path, undefined, headers);
  post = (path: string, body?: unknown, headers?: Record<string, string>) => this.request('POST', path, body ?? {}, headers);
  put = (path: string, body?: unknown, headers?: Record<string, string>) => this.request('PUT', path, body ?? {}, headers);
  patch = (path: string, body?: unknown, headers?: Record<string, string>) => this.request('PATCH', path, body ?? {}, headers);
  delete = (path: string, headers?: Record<string, string>) => this.request('DELETE', path, undefined, headers);

  cookieValue(name: string): string | undefined {
    return this.cookies.get(name);
  }

  clearCookies(): void {
    this.cookies.clear();
  }

  /** Signs up and keeps the session cookie (where email verification is required, sign-up only mails: then it logs in too). */
  async signup(email: string, password = 'correct-horse-battery'): Promise<any> {
    const r = await this.post('/api/auth/signup', { email, password });
    if (r.status === 202) {
      const login = await this.post('/api/auth/login', { email, password });
      if (login.status !== 200) throw new Error(`log-in after signup ${email}: ${login.status} ${login.text}`);
      return login.body;
    }
    if (r.status !== 201) throw new Error(`signup ${email}: ${r.status} ${r.text}`);
    return r.body;
  }
}
