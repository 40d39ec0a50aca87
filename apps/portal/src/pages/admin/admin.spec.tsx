import type { AdminAuditEvent, AdminCapacity, AdminLiveSession, AdminProfileWithUsage, AdminQuotas, AdminUsageDay, AdminUserDetail, AdminWaitlistEntry } from '@trialhub/contracts';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderAt, resetAppBetweenTests } from '../../testing/render-app';
import { aProfile, aTrial, aUser, apiError, installFakeApi, json } from '../../testing/fake-api';
import { fieldErrorsFrom, toFormValues, toUpdate } from './quota-fields';

let fake: ReturnType<typeof installFakeApi>;
const admin = aUser({ id: 'admin-1', email: 'root@example.com', role: 'admin' });
const asAdmin = { 'GET /api/auth/me': json(200, { user: admin, csrfToken: 'c' }) };

const QUOTAS: AdminQuotas = {
  sessionsPerUser: 1, trialDurationMs: 24 * 3600_000, sessionMaxRuntimeMs: 4 * 3600_000, idleTimeoutMs: 3600_000, maxActiveTrials: null,
  storagePerUserBytes: 5 * 1024 ** 3, maxUploadFileBytes: 512 * 1024 ** 2, resultRetentionMs: 30 * 86_400_000, allowedEmailDomains: [], blockedEmailDomains: ['spam.example'],
};
const aProfileRow = (over: Partial<AdminProfileWithUsage> = {}): AdminProfileWithUsage => ({
  name: 'power8-gpu', displayName: 'POWER8 + NVIDIA GPU', description: '', image: 'trialhub/notebook:1', cpuRequest: '2', cpuLimit: '4', memoryRequest: '8Gi', memoryLimit: '16Gi',
  gpus: 1, nodeSelector: { 'kubernetes.io/arch': 'ppc64le' }, tolerations: [], runtimeClassName: null, slots: 4, isDefault: true, enabled: true, sortOrder: 0,
  createdAt: '2026-01-01T10:00:00Z', updatedAt: '2026-01-01T10:00:00Z', slotsUsed: 2, ...over,
});
const quotaRoutes = { ...asAdmin, 'GET /api/admin/quotas': json(200, QUOTAS), 'GET /api/admin/profiles': json(200, [aProfileRow(), aProfileRow({ name: 'cpu', displayName: 'CPU only', gpus: 0, nodeSelector: {}, isDefault: false, slotsUsed: 0 })]) };
const waiting = (n: number): AdminWaitlistEntry[] =>
  Array.from({ length: n }, (_, i) => ({ position: i + 1, trialId: `trial-${i + 1}`, userId: `user-${i + 1}`, email: `wait${i + 1}@example.com`, waitingSince: `2026-01-0${i + 1}T10:00:00Z` }));

resetAppBetweenTests(() => fake?.restore());

describe('admin access', () => {
  it('tells a logged-in non-admin that the console is for admins only, and has no Admin entry', async () => {
    fake = installFakeApi({ 'GET /api/auth/me': json(200, { user: aUser(), csrfToken: 'c' }) });
    renderAt('/admin/users');
    await screen.findByRole('heading', { name: 'Admins only' });
    expect(document.body.textContent).toMatch(/ada@example\.com\) does not have the admin role/);
    expect(screen.queryByRole('link', { name: 'Admin' })).toBeNull();
    expect(fake.calls.some((c) => c.path.startsWith('/api/admin'))).toBe(false);
  });

  it('shows the sections as sub-navigation, the current one marked', async () => {
    fake = installFakeApi({ ...asAdmin, 'GET /api/admin/audit': json(200, []) });
    renderAt('/admin/audit');
    const nav = await screen.findByRole('navigation', { name: 'Admin sections' });
    expect(within(nav).getAllByRole('link').map((a) => a.textContent)).toEqual(['Quotas & profiles', 'Capacity', 'Waitlist', 'Users', 'Sessions', 'Usage', 'Audit log']);
    expect(within(nav).getByRole('link', { name: 'Audit log' }).getAttribute('aria-current')).toBe('page');
    await screen.findByText('No events match these filters');
  });
});

describe('quotas and profiles', () => {
  it('shows a loading state, then every quota in its unit, and says running sessions keep their limits', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    fake = installFakeApi({ ...quotaRoutes, 'GET /api/admin/quotas': async () => (await gate, json(200, QUOTAS)) });
    renderAt('/admin');
    await screen.findByText('Loading quotas…');
    await act(async () => release());
    expect((await screen.findByLabelText('Sessions per user') as HTMLInputElement).value).toBe('1');
    expect((screen.getByLabelText('Trial duration') as HTMLInputElement).value).toBe('24');
    expect((screen.getByLabelText('Idle timeout') as HTMLInputElement).value).toBe('60');
    expect((screen.getByLabelText('Maximum active trials') as HTMLInputElement).value).toBe('');
    expect((screen.getByLabelText('Storage per user') as HTMLInputElement).value).toBe('5');
    expect((screen.getByLabelText('Result retention') as HTMLInputElement).value).toBe('30');
    expect((screen.getByLabelText('Blocked email domains') as HTMLTextAreaElement).value).toBe('spam.example');
    expect(document.body.textContent).toMatch(/running sessions keep the maximum runtime and idle timeout they started with/);
  });

  it('saves only the changed quotas in API units and confirms', async () => {
    fake = installFakeApi({ ...quotaRoutes, 'PUT /api/admin/quotas': ({ body }) => json(200, { ...QUOTAS, ...(body as object) }) });
    renderAt('/admin');
    fireEvent.change(await screen.findByLabelText('Sessions per user'), { target: { value: '2' } });
    fireEvent.change(screen.getByLabelText('Trial duration'), { target: { value: '48' } });
    fireEvent.change(screen.getByLabelText('Maximum active trials'), { target: { value: '10' } });
    fireEvent.change(screen.getByLabelText('Allowed email domains'), { target: { value: 'Example.com\nuni.example.org' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save quotas' }));
    const status = await screen.findByText(/^Quotas saved/);
    expect(status.textContent).toMatch(/running sessions keep running/);
    expect(fake.calls.find((c) => c.method === 'PUT')!.body).toEqual({ sessionsPerUser: 2, trialDurationMs: 48 * 3600_000, maxActiveTrials: 10, allowedEmailDomains: ['example.com', 'uni.example.org'] });
    expect(fake.calls.find((c) => c.method === 'PUT')!.headers['x-csrf-token']).toBeUndefined(); // no CSRF cookie in this DOM
    expect((screen.getByLabelText('Trial duration') as HTMLInputElement).value).toBe('48');
  });

  it("shows the server's validation errors next to each field and in a readable alert, never JSON", async () => {
    fake = installFakeApi({
      ...quotaRoutes,
      'PUT /api/admin/quotas': json(400, {
        statusCode: 400, error: 'Bad Request', message: 'sessionsPerUser must not be greater than 100; trialDurationMs must not be less than 60000; allowedEmailDomains must be domain names like example.com',
        details: ['sessionsPerUser must not be greater than 100', 'trialDurationMs must not be less than 60000', 'allowedEmailDomains must be domain names like example.com'],
      }),
    });
    renderAt('/admin');
    fireEvent.change(await screen.findByLabelText('Sessions per user'), { target: { value: '500' } });
    fireEvent.change(screen.getByLabelText('Trial duration'), { target: { value: '0' } });
    fireEvent.change(screen.getByLabelText('Allowed email domains'), { target: { value: 'not a domain' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save quotas' }));
    const alert = await screen.findByRole('alert');
    expect(within(alert).getAllByRole('listitem').map((li) => li.textContent)).toEqual([
      'Sessions per user must not be greater than 100.',
      'Trial duration must not be less than 1 minute.',
      'Allowed email domains must be domain names like example.com.',
    ]);
    const field = screen.getByLabelText('Sessions per user');
    expect(field.getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById(field.getAttribute('aria-describedby')!.split(' ').pop()!)!.textContent).toBe('Sessions per user must not be greater than 100.');
    expect(document.body.textContent).not.toMatch(/statusCode|requestId|\{"/);
    expect(screen.queryByText(/^Quotas saved/)).toBeNull();
  });

  it('lowers a limit for new sessions only by default; applying it to running ones asks first', async () => {
    fake = installFakeApi({ ...quotaRoutes, 'PUT /api/admin/quotas': ({ body }) => json(200, { ...QUOTAS, ...(body as object) }) });
    renderAt('/admin');
    fireEvent.change(await screen.findByLabelText('Idle timeout'), { target: { value: '30' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save quotas' }));
    expect((await screen.findByText(/^Quotas saved/)).textContent).toMatch(/running sessions keep running/);
    expect(screen.queryByRole('dialog')).toBeNull();

    fireEvent.change(screen.getByLabelText('Idle timeout'), { target: { value: '20' } });
    fireEvent.click(screen.getByLabelText(/Also apply to running sessions/));
    fireEvent.click(screen.getByRole('button', { name: 'Save quotas' }));
    const dialog = screen.getByRole('dialog', { name: 'Lower limits of running sessions?' });
    expect(dialog.textContent).toMatch(/apply the lower idle timeout to sessions that are running now/);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Go back' }));
    expect(fake.calls.filter((c) => c.method === 'PUT')).toHaveLength(1);
    fireEvent.click(screen.getByRole('button', { name: 'Save quotas' }));
    fireEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Save quotas' }));
    expect((await screen.findByText(/^Quotas saved \(idle/)).textContent).toMatch(/those already past them stop/);
    expect(fake.calls.filter((c) => c.method === 'PUT').map((c) => c.body)).toEqual([{ idleTimeoutMs: 30 * 60_000 }, { idleTimeoutMs: 20 * 60_000, applyToRunning: true }]);
    expect((screen.getByLabelText(/Also apply to running sessions/) as HTMLInputElement).checked).toBe(false);
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('refuses an empty required quota without calling the server', async () => {
    fake = installFakeApi(quotaRoutes);
    renderAt('/admin');
    fireEvent.change(await screen.findByLabelText('Idle timeout'), { target: { value: '' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save quotas' }));
    expect((await screen.findByRole('alert')).textContent).toContain('Enter the idle timeout in minutes.');
    expect(fake.calls.some((c) => c.method === 'PUT')).toBe(false);
  });

  it('shows an error with Try again when the quotas cannot be loaded', async () => {
    let attempts = 0;
    fake = installFakeApi({ ...quotaRoutes, 'GET /api/admin/quotas': () => (++attempts === 1 ? apiError(503, 'The database is not reachable right now.') : json(200, QUOTAS)) });
    renderAt('/admin');
    expect((await screen.findByRole('alert')).textContent).toContain('The database is not reachable right now.');
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    await screen.findByLabelText('Sessions per user');
  });

  it("edits a profile's slots and enabled flag; asks before lowering slots below what runs", async () => {
    fake = installFakeApi({ ...quotaRoutes, 'PUT /api/admin/profiles/power8-gpu': ({ body }) => json(200, { ...aProfileRow(), ...(body as object), stoppedSessions: [] }), 'PUT /api/admin/profiles/cpu': ({ body }) => json(200, { ...aProfileRow({ name: 'cpu' }), ...(body as object), stoppedSessions: [] }) });
    renderAt('/admin');
    const table = await screen.findByRole('table', { name: /Session profiles/ });
    fireEvent.change(within(table).getByLabelText('Slots for CPU only'), { target: { value: '8' } });
    fireEvent.click(within(table).getByLabelText(/CPU only\s+Enabled/));
    fireEvent.click(within(table).getByRole('button', { name: 'Save CPU only' }));
    await within(table).findByText('Saved.');
    expect(fake.calls.find((c) => c.path === '/api/admin/profiles/cpu')!.body).toEqual({ slots: 8, enabled: false });

    fireEvent.change(within(table).getByLabelText('Slots for POWER8 + NVIDIA GPU'), { target: { value: '1' } });
    fireEvent.click(within(table).getByRole('button', { name: 'Save POWER8 + NVIDIA GPU' }));
    const dialog = screen.getByRole('dialog', { name: 'Lower the slots of POWER8 + NVIDIA GPU?' });
    expect(dialog.textContent).toMatch(/2 sessions of POWER8 \+ NVIDIA GPU are running.*keep running/);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save slots' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(fake.calls.find((c) => c.path === '/api/admin/profiles/power8-gpu')!.body).toEqual({ slots: 1, stopExcess: false });
  });
});

describe('waitlist', () => {
  it('says nobody is waiting when the list is empty', async () => {
    fake = installFakeApi({ ...asAdmin, 'GET /api/admin/waitlist': json(200, []) });
    renderAt('/admin/waitlist');
    await screen.findByText('Nobody is waiting');
    expect(screen.queryByRole('button', { name: /Admit/ })).toBeNull();
  });

  it('lists people in order, admits one by its row and then the next N', async () => {
    let list = waiting(4);
    fake = installFakeApi({
      ...asAdmin,
      'GET /api/admin/waitlist': () => json(200, list.map((w, i) => ({ ...w, position: i + 1 }))),
      'POST /api/admin/waitlist/admit': ({ body }) => {
        const b = body as { trialId?: string; count?: number };
        const admitted = b.trialId ? list.filter((w) => w.trialId === b.trialId) : list.slice(0, b.count);
        list = list.filter((w) => !admitted.includes(w));
        return json(201, { admitted: admitted.map((w) => w.trialId) });
      },
    });
    renderAt('/admin/waitlist');
    const table = await screen.findByRole('table', { name: '4 people waiting, first in line first' });
    expect(within(table).getAllByRole('row').slice(1).map((r) => within(r).getAllByRole('cell')[0].textContent)).toEqual(['1', '2', '3', '4']);
    expect(within(table).getAllByRole('rowheader').map((h) => h.textContent)).toEqual(['wait1@example.com', 'wait2@example.com', 'wait3@example.com', 'wait4@example.com']);

    fireEvent.click(within(table).getByRole('button', { name: 'Admit wait3@example.com' }));
    await screen.findByText('Admitted 1 person: their trial has started.');
    await screen.findByRole('table', { name: '3 people waiting, first in line first' });
    expect(fake.calls.find((c) => c.method === 'POST')!.body).toEqual({ trialId: 'trial-3' });

    fireEvent.change(screen.getByLabelText('How many to admit'), { target: { value: '2' } });
    fireEvent.click(screen.getByRole('button', { name: 'Admit next 2' }));
    await screen.findByText('Admitted 2 people: their trial has started.');
    const after = await screen.findByRole('table', { name: '1 person waiting, first in line first' });
    expect(within(after).getAllByRole('rowheader').map((h) => h.textContent)).toEqual(['wait4@example.com']);
    expect(fake.calls.filter((c) => c.method === 'POST').at(-1)!.body).toEqual({ count: 2 });
  });

  it("shows the server's refusal of an admission in words", async () => {
    fake = installFakeApi({ ...asAdmin, 'GET /api/admin/waitlist': json(200, waiting(1)), 'POST /api/admin/waitlist/admit': apiError(404, 'No waitlisted trial with that id.') });
    renderAt('/admin/waitlist');
    fireEvent.click(await screen.findByRole('button', { name: 'Admit wait1@example.com' }));
    expect((await screen.findByRole('alert')).textContent).toBe('No waitlisted trial with that id.');
  });
});

describe('users', () => {
  const detail = (over: Partial<AdminUserDetail> = {}): AdminUserDetail => ({
    user: { ...aUser({ id: 'u1' }), suspendedReason: null },
    trials: [aTrial()],
    sessions: [{ id: '0f5b0d8e-1c1e-4a57-9d1a-3c5e2f7a9b10', profile: 'cpu', state: 'ready', reason: null, node: 'node-1', createdAt: '2026-01-01T10:00:00Z', stoppedAt: null }],
    quota: null,
    ...over,
  });

  it('searches users and opens one', async () => {
    fake = installFakeApi({
      ...asAdmin,
      'GET /api/admin/users': () => json(200, [{ ...aUser({ id: 'u1' }), trial: { id: 't1', state: 'active', expiresAt: '2026-01-02T10:00:00Z' } }]),
      'GET /api/admin/users/u1': json(200, detail()),
    });
    renderAt('/admin/users');
    fireEvent.change(await screen.findByLabelText('Search users'), { target: { value: 'ada' } });
    fireEvent.click(screen.getByRole('button', { name: 'Search' }));
    await waitFor(() => expect(window.location.search).toBe('?q=ada'));
    fireEvent.click(await screen.findByRole('link', { name: 'ada@example.com' }));
    await screen.findByRole('heading', { name: 'ada@example.com' });
    expect(screen.getByRole('table', { name: /Sessions of ada@example.com/ }).textContent).toMatch(/node-1/);
  });

  it('says when no user matches the search', async () => {
    fake = installFakeApi({ ...asAdmin, 'GET /api/admin/users': json(200, []) });
    renderAt('/admin/users?q=nobody');
    await screen.findByText('No users match “nobody”');
  });

  it('ends a trial only after confirmation, and suspends with a reason', async () => {
    fake = installFakeApi({
      ...asAdmin,
      'GET /api/admin/users/u1': json(200, detail()),
      'POST /api/admin/users/u1/trial/end': json(201, detail({ trials: [aTrial({ state: 'ended', endReason: 'admin', endedAt: '2026-01-01T12:00:00Z', secondsLeft: null })] })),
      'POST /api/admin/users/u1/suspend': ({ body }) => json(201, detail({ user: { ...aUser({ id: 'u1', suspended: true }), suspendedReason: (body as { reason: string }).reason } })),
    });
    renderAt('/admin/users/u1');
    fireEvent.click(await screen.findByRole('button', { name: 'End trial' }));
    const dialog = screen.getByRole('dialog', { name: 'End this trial?' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(fake.calls.some((c) => c.method === 'POST')).toBe(false);
    fireEvent.click(screen.getByRole('button', { name: 'End trial' }));
    fireEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'End trial' }));
    await screen.findByText('The trial has ended; its sessions are stopping.');
    await screen.findByRole('button', { name: 'Grant another trial' });

    fireEvent.click(screen.getByRole('button', { name: 'Suspend' }));
    const suspend = screen.getByRole('dialog', { name: 'Suspend this user?' });
    fireEvent.change(within(suspend).getByLabelText('Reason (optional)'), { target: { value: 'crypto mining' } });
    fireEvent.click(within(suspend).getByRole('button', { name: 'Suspend user' }));
    await screen.findByText('ada@example.com is suspended.');
    expect(fake.calls.find((c) => c.path.endsWith('/suspend'))!.body).toEqual({ reason: 'crypto mining' });
    expect(document.body.textContent).toMatch(/Suspended: crypto mining/);
    screen.getByRole('button', { name: 'Reinstate' });
  });

  it('shows an error when the user does not exist', async () => {
    fake = installFakeApi({ ...asAdmin, 'GET /api/admin/users/nope': apiError(400, 'The id must be a UUID.') });
    renderAt('/admin/users/nope');
    expect((await screen.findByRole('alert')).textContent).toContain('The id must be a UUID.');
  });
});

describe('capacity, sessions, usage and audit', () => {
  it('shows slots per profile, queues and the GPUs the cluster reports', async () => {
    const capacity: AdminCapacity = {
      runtime: 'kubernetes',
      profiles: [{ ...aProfile(), slotsUsed: 4, slotsFree: 0, queued: 3 }],
      cluster: { nodes: [{ name: 'p8-a', arch: 'ppc64le', labels: { 'kubernetes.io/arch': 'ppc64le' }, gpus: 4, gpusUsed: 3, ready: true }], gpus: 4, gpusUsed: 3 },
    };
    fake = installFakeApi({ ...asAdmin, 'GET /api/admin/capacity': json(200, capacity), 'GET /api/admin/waitlist': json(200, waiting(2)) });
    renderAt('/admin/capacity');
    const table = await screen.findByRole('table', { name: /Slots in use/ });
    expect(within(table).getAllByRole('cell').map((c) => c.textContent).slice(0, 4)).toEqual(['4', '4', '0', '3']);
    expect(screen.getByRole('img', { name: 'POWER8 + NVIDIA GPU: 4 of 4 slots in use' })).toBeTruthy();
    expect(screen.getByText('3 / 4')).toBeTruthy();
    expect(screen.getByRole('table', { name: /Cluster nodes/ }).textContent).toMatch(/p8-a.*ppc64le/);
  });

  it('says when no session is running, and force-stops one after confirmation', async () => {
    const live: AdminLiveSession = { id: '0f5b0d8e-1c1e-4a57-9d1a-3c5e2f7a9b10', state: 'ready', profile: 'cpu', node: 'node-1', reason: null, owner: { id: 'u1', email: 'ada@example.com' }, createdAt: '2026-01-01T10:00:00Z', ageSeconds: 3700, lastActivityAt: null };
    let sessions = [live];
    fake = installFakeApi({ ...asAdmin, 'GET /api/admin/sessions': () => json(200, sessions), [`DELETE /api/admin/sessions/${live.id}`]: () => ((sessions = []), json(200, {})) });
    renderAt('/admin/sessions');
    const row = (await screen.findByRole('rowheader', { name: 'ada@example.com' })).closest('tr')!;
    expect(row.textContent).toMatch(/1 h 01 min/);
    fireEvent.click(within(row).getByRole('button', { name: 'Force stop the session of ada@example.com' }));
    fireEvent.click(within(screen.getByRole('dialog', { name: 'Force-stop this session?' })).getByRole('button', { name: 'Force stop' }));
    await screen.findByText('The session of ada@example.com is stopping.');
    await screen.findByText('No sessions are running or queued');
  });

  it('shows usage per day with a chart and a CSV link', async () => {
    const usage: AdminUsageDay[] = [
      { day: '2026-01-01', trialsStarted: 2, sessions: 3, gpuHours: 1.5, profiles: { cpu: { sessions: 1, gpuHours: 0 }, 'power8-gpu': { sessions: 2, gpuHours: 1.5 } } },
      { day: '2026-01-02', trialsStarted: 1, sessions: 1, gpuHours: 0, profiles: { cpu: { sessions: 1, gpuHours: 0 }, 'power8-gpu': { sessions: 0, gpuHours: 0 } } },
    ];
    fake = installFakeApi({ ...asAdmin, 'GET /api/admin/usage': json(200, usage) });
    renderAt('/admin/usage');
    const table = await screen.findByRole('table', { name: 'Usage per day, newest first' });
    expect(within(table).getAllByRole('rowheader').map((h) => h.textContent)).toEqual(['2026-01-02', '2026-01-01']);
    expect(screen.getByRole('img', { name: /Sessions launched per day: 4 in total over 2 days; the most on 2026-01-01 \(3\)/ })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Download CSV' }).getAttribute('href')).toBe('/api/admin/usage?days=30&format=csv');
    fireEvent.change(screen.getByLabelText('Period'), { target: { value: '7' } });
    await waitFor(() => expect(screen.getByRole('link', { name: 'Download CSV' }).getAttribute('href')).toBe('/api/admin/usage?days=7&format=csv'));
  });

  it('filters the audit log with what the API supports', async () => {
    const event: AdminAuditEvent = { id: '7', at: '2026-01-01T10:00:00Z', actor: { id: 'admin-1', email: 'root@example.com' }, action: 'user.suspend', target: { type: 'user', id: 'u1' }, details: { reason: 'crypto mining', email: 'ada@example.com' } };
    fake = installFakeApi({ ...asAdmin, 'GET /api/admin/audit': json(200, [event]) });
    renderAt('/admin/audit');
    const table = await screen.findByRole('table', { name: '1 event, newest first' });
    expect(table.textContent).toMatch(/root@example\.com.*user\.suspend.*reason.*crypto mining/);
    fireEvent.change(screen.getByLabelText('Action'), { target: { value: 'user.' } });
    fireEvent.change(screen.getByLabelText('Actor'), { target: { value: 'root@example.com' } });
    fireEvent.click(screen.getByRole('button', { name: 'Filter' }));
    await waitFor(() => expect(fake.calls.filter((c) => c.path === '/api/admin/audit')).toHaveLength(2));
  });

  it('pages back through older events on request, until the oldest', async () => {
    const events: AdminAuditEvent[] = [5, 4, 3, 2, 1].map((n) => ({ id: String(n), at: `2026-01-0${n}T10:00:00Z`, actor: { id: null, email: 'system' }, action: `trial.teardown`, target: { type: 'trial', id: `t${n}` }, details: {} }));
    fake = installFakeApi({
      ...asAdmin,
      'GET /api/admin/audit': ({ query }) => {
        const older = query.before ? events.filter((e) => Number(e.id) < Number(query.before)) : events;
        return json(200, older.slice(0, Number(query.limit ?? 200)));
      },
    });
    renderAt('/admin/audit');
    await screen.findByRole('table');
    fireEvent.change(screen.getByLabelText('Show at most'), { target: { value: '2' } });
    fireEvent.click(screen.getByRole('button', { name: 'Filter' }));
    await screen.findByRole('table', { name: '2 events, newest first' });
    fireEvent.click(screen.getByRole('button', { name: 'Show older events' }));
    await screen.findByRole('table', { name: '4 events, newest first' });
    fireEvent.click(screen.getByRole('button', { name: 'Show older events' }));
    await screen.findByRole('table', { name: '5 events, newest first' });
    expect(screen.queryByRole('button', { name: 'Show older events' })).toBeNull();
    expect(screen.getByText('That is the oldest event that matches.')).toBeTruthy();
    expect(fake.calls.filter((c) => c.path === '/api/admin/audit').map((c) => c.query.before ?? null)).toEqual([null, null, '4', '2']);
  });
});

describe('quota field conversions', () => {
  it('round-trips every quota through the form units', () => {
    expect(toUpdate(toFormValues(QUOTAS), QUOTAS)).toEqual({ patch: {}, errors: {} });
    expect(fieldErrorsFrom(['resultRetentionMs must not be less than 3600000', 'Unknown field "bogus": remove it.'])).toEqual({
      fields: { resultRetentionMs: 'Result retention must not be less than 1 hour.' },
      other: ['Unknown field "bogus": remove it.'],
    });
  });
});
