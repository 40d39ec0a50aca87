import type { AccountView, ProfileView, SessionView, TrialView } from '@trialhub/contracts';

type Handler = (request: { method: string; path: string; query: Record<string, string>; body: unknown; headers: Record<string, string> }) => { status: number; body?: unknown } | Promise<{ status: number; body?: unknown }>;

/**
 * Replaces `fetch` with a router of canned control-plane answers, for component tests of
 * the pages' states (loading, empty, error, …). Every call is recorded. Browser tests run
 * against the real control plane; these only drive the UI into states that are hard to
 * reach there.
 */
export function installFakeApi(routes: Record<string, Handler | { status: number; body?: unknown }>) {
  const calls: Array<{ method: string; path: string; query: Record<string, string>; body: unknown; headers: Record<string, string> }> = [];
  const original = globalThis.fetch;
  globalThis.fetch = (async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(String(input), 'http://portal.test');
    const method = (init.method ?? 'GET').toUpperCase();
    const headers = Object.fromEntries(Object.entries((init.headers as Record<string, string>) ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    const body = typeof init.body === 'string' ? JSON.parse(init.body) : undefined;
    const call = { method, path: url.pathname, query: Object.fromEntries(url.searchParams), body, headers };
    calls.push(call);
    const route = routes[`${method} ${url.pathname}`];
    if (!route) return new Response(JSON.stringify({ statusCode: 404, error: 'Not Found', message: `No route ${method} ${url.pathname} in this test` }), { status: 404 });
    const answer = typeof route === 'function' ? await route(call) : route;
    if (answer.status === 204) return new Response(null, { status: 204 });
    return new Response(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body ?? {}), { status: answer.status, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
  return { calls, restore: () => void (globalThis.fetch = original) };
}

export const aUser = (over: Partial<AccountView> = {}): AccountView => ({ id: 'u1', email: 'ada@example.com', role: 'user', verified: true, verificationRequired: true, suspended: false, createdAt: '2026-01-01T10:00:00Z', ...over });

export const aTrial = (over: Partial<TrialView> = {}): TrialView => ({
  id: 't1', state: 'active', position: null, createdAt: '2026-01-01T10:00:00Z', activatedAt: '2026-01-01T10:00:00Z',
  expiresAt: new Date(Date.now() + 3600_000 * 5).toISOString(), secondsLeft: 5 * 3600, endedAt: null, endReason: null, ...over,
});

export const aProfile = (over: Partial<ProfileView> = {}): ProfileView => ({
  name: 'power8-gpu', displayName: 'POWER8 + NVIDIA GPU', description: 'POWER8 node with one GPU.', gpus: 1, arch: 'ppc64le', slots: 4, slotsFree: 3, isDefault: true, enabled: true, ...over,
});

export const aSession = (over: Partial<SessionView> = {}): SessionView => ({
  id: '0f5b0d8e-1c1e-4a57-9d1a-3c5e2f7a9b10', trialId: 't1', userId: 'u1', profile: 'power8-gpu', state: 'queued', reason: null, queuePosition: null,
  notebookUrl: null, createdAt: '2026-01-01T10:00:00Z', readyAt: null, stoppedAt: null, stopsAt: null, trialExpiresAt: null, mode: null, events: [], ...over,
});

export const json = (status: number, body?: unknown) => ({ status, body });
export const apiError = (statusCode: number, message: string) => ({ status: statusCode, body: { statusCode, error: 'Error', message, requestId: 'req-1' } });
