import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderAt, resetAppBetweenTests } from '../testing/render-app';
import { navigate } from '../router';
import { aProfile, aSession, aTrial, aUser, apiError, installFakeApi, json } from '../testing/fake-api';

let fake: ReturnType<typeof installFakeApi>;
const loggedIn = { 'GET /api/auth/me': json(200, { user: aUser(), csrfToken: 'c' }) };
const dashboardRoutes = { ...loggedIn, 'GET /api/profiles': json(200, [aProfile(), aProfile({ name: 'cpu', displayName: 'CPU only', gpus: 0, arch: null, isDefault: false })]), 'GET /api/sessions': json(200, []) };

resetAppBetweenTests(() => fake?.restore());

describe('routing and log-in', () => {
  it('sends a logged-out visitor of the dashboard to the log-in page, keeping where they wanted to go', async () => {
    fake = installFakeApi({ 'GET /api/auth/me': apiError(401, 'Log in first.') });
    renderAt('/results');
    await screen.findByRole('heading', { name: 'Log in to Trialhub' });
    expect(window.location.pathname + window.location.search).toBe('/login?next=%2Fresults');
  });

  it("shows the server's sentence for a wrong password, never its JSON", async () => {
    fake = installFakeApi({ 'GET /api/auth/me': apiError(401, 'Log in first.'), 'POST /api/auth/login': apiError(401, 'Wrong email or password.') });
    renderAt('/login');
    fireEvent.change(await screen.findByLabelText('Email'), { target: { value: 'ada@example.com' } });
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'nope' } });
    fireEvent.click(screen.getByRole('button', { name: 'Log in' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Wrong email or password.');
    expect(document.body.textContent).not.toMatch(/statusCode|requestId/);
    expect(screen.getByRole('button', { name: 'Log in' })).not.toHaveProperty('disabled', true);
  });

  it('shows the trial terms on the sign-up page and lists each problem the server found, each beside its field', async () => {
    fake = installFakeApi({
      'GET /api/auth/me': apiError(401, 'Log in first.'),
      'POST /api/auth/signup': json(400, {
        statusCode: 400,
        error: 'Bad Request',
        message: 'This is not a whole email address: write it like ada@example.com. This password is too easy to guess: this is a heavily used password. Add more words that are less common.',
        details: ['This is not a whole email address: write it like ada@example.com.', 'This password is too easy to guess: this is a heavily used password. Add more words that are less common.'],
        fields: { email: ['This is not a whole email address: write it like ada@example.com.'], password: ['This password is too easy to guess: this is a heavily used password. Add more words that are less common.'] },
      }),
    });
    renderAt('/signup');
    const terms = await screen.findByRole('region', { name: 'Your 24-hour GPU trial' });
    expect(terms.textContent).toMatch(/24 hours/);
    expect(terms.textContent).toMatch(/GPU/);
    expect(terms.textContent).toMatch(/torn down/);
    fireEvent.change(screen.getByLabelText('Email'), { target: { value: 'ada@example.org' } });
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'password' } });
    fireEvent.click(screen.getByLabelText(/I understand/));
    fireEvent.click(screen.getByRole('button', { name: 'Create account and start trial' }));
    const alert = await screen.findByRole('alert');
    expect(within(alert).getAllByRole('listitem').map((li) => li.textContent)).toEqual([
      'This is not a whole email address: write it like ada@example.com.',
      'This password is too easy to guess: this is a heavily used password. Add more words that are less common.',
    ]);
    expect(screen.getByLabelText('Email').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByLabelText('Password').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByLabelText('Password').getAttribute('aria-describedby')).toMatch(/-error/);
    const passwordError = document.getElementById(screen.getByLabelText('Password').getAttribute('aria-describedby')!.split(' ').find((id) => id.endsWith('-error'))!);
    expect(passwordError?.textContent).toMatch(/^This password is too easy to guess/);
  });

  it('shows every problem it can see at once before sending anything, in plain words', async () => {
    fake = installFakeApi({ 'GET /api/auth/me': apiError(401, 'Log in first.') });
    renderAt('/signup');
    fireEvent.change(await screen.findByLabelText('Email'), { target: { value: 'walker@' } });
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'abc' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create account and start trial' }));
    const alert = await screen.findByRole('alert');
    expect(within(alert).getByText('Fix these 3 things to continue:')).toBeTruthy();
    const items = within(alert).getAllByRole('listitem').map((li) => li.textContent);
    expect(items).toEqual([
      'This is not a whole email address: write it like ada@example.com.',
      'Use at least 8 characters for your password; a few unrelated words are easy to remember and hard to guess.',
      'Please confirm you have read the trial terms.',
    ]);
    expect(document.body.textContent).not.toMatch(/must be|should/);
    expect(fake.calls.some((c) => c.path === '/api/auth/signup')).toBe(false);
    expect(screen.getByLabelText(/I understand/).getAttribute('aria-invalid')).toBe('true');
  });

  it('suggests a likely correction of a mistyped email domain; clicking it accepts it', async () => {
    fake = installFakeApi({ 'GET /api/auth/me': apiError(401, 'Log in first.'), 'POST /api/auth/signup': json(201, { user: aUser({ email: 'walker@gmail.com' }), token: 't', csrfToken: 'c' }) });
    renderAt('/signup');
    const email = (await screen.findByLabelText('Email')) as HTMLInputElement;
    fireEvent.change(email, { target: { value: 'walker@gmial.com' } });
    fireEvent.blur(email);
    expect((await screen.findByRole('status')).textContent).toBe('Did you mean walker@gmail.com?');
    fireEvent.click(screen.getByRole('button', { name: 'walker@gmail.com' }));
    expect(email.value).toBe('walker@gmail.com');
    expect(screen.queryByText(/Did you mean/)).toBeNull();
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'walker-ladder-quietly-47' } });
    fireEvent.click(screen.getByLabelText(/I understand/));
    fireEvent.click(screen.getByRole('button', { name: 'Create account and start trial' }));
    await waitFor(() => expect(fake.calls.find((c) => c.path === '/api/auth/signup')?.body).toEqual({ email: 'walker@gmail.com', password: 'walker-ladder-quietly-47' }));
  });

  it('says "check your inbox" when the server asks to confirm the address first', async () => {
    fake = installFakeApi({
      'GET /api/auth/me': apiError(401, 'Log in first.'),
      'POST /api/auth/signup': json(202, { pending: true, message: 'Check your inbox at ada@example.com: we sent a mail to finish signing up. Confirm your address with its link, then log in.' }),
    });
    renderAt('/signup');
    fireEvent.change(await screen.findByLabelText('Email'), { target: { value: 'ada@example.com' } });
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'analytical-engine' } });
    fireEvent.click(screen.getByLabelText(/I understand/));
    fireEvent.click(screen.getByRole('button', { name: 'Create account and start trial' }));
    await screen.findByRole('heading', { name: 'Check your inbox' });
    expect(screen.getByText(/Check your inbox at ada@example.com/)).toBeTruthy();
    expect(window.location.pathname).toBe('/signup');
  });

  it('shows an Admin entry only to admins', async () => {
    fake = installFakeApi({ ...dashboardRoutes, 'GET /api/auth/me': json(200, { user: aUser({ role: 'admin' }), csrfToken: 'c' }), 'GET /api/trial': json(200, aTrial()) });
    renderAt('/');
    fireEvent.click(await screen.findByRole('link', { name: 'Admin' }));
    await screen.findByRole('heading', { name: 'Administration' });
  });

  it('shows "page not found" for an unknown address', async () => {
    fake = installFakeApi(loggedIn);
    renderAt('/no/such/page');
    await screen.findByRole('heading', { name: 'Page not found' });
  });
});

describe('dashboard', () => {
  it('shows a loading state, then the countdown and the default profile chosen', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    fake = installFakeApi({ ...dashboardRoutes, 'GET /api/trial': async () => (await gate, json(200, aTrial({ secondsLeft: 3 * 3600 + 61 }))) });
    renderAt('/');
    await screen.findByText('Loading your trial…');
    await act(async () => release());
    expect((await screen.findByTestId('countdown')).textContent).toBe('03:01:01');
    expect((screen.getByRole('radio', { name: /^POWER8 \+ NVIDIA GPU/ }) as HTMLInputElement).checked).toBe(true);
    await screen.findByText('No sessions yet');
  });

  it('shows the waitlist position and no Launch button while waitlisted', async () => {
    fake = installFakeApi({ ...dashboardRoutes, 'GET /api/trial': json(200, aTrial({ state: 'waitlisted', position: 3, activatedAt: null, expiresAt: null, secondsLeft: null })) });
    renderAt('/');
    await screen.findByRole('heading', { name: 'You are on the waitlist' });
    expect(screen.getByTestId('waitlist-position').textContent).toBe('3');
    expect(screen.queryByRole('button', { name: 'Launch' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'End trial' })).toBeNull();
  });

  it('says why a trial ended and that results are kept', async () => {
    fake = installFakeApi({ ...dashboardRoutes, 'GET /api/trial': json(200, aTrial({ state: 'ended', endReason: 'expired', endedAt: '2026-01-02T10:00:00Z', secondsLeft: null })) });
    renderAt('/');
    await screen.findByRole('heading', { name: 'Your trial has ended' });
    expect(document.body.textContent).toMatch(/reached the end of its 24 hours/);
    expect(document.body.textContent).toMatch(/saved results and share links are still available/);
  });

  it('offers to try again when the trial cannot be loaded', async () => {
    let attempts = 0;
    fake = installFakeApi({ ...dashboardRoutes, 'GET /api/trial': () => (++attempts === 1 ? apiError(503, 'The database is not reachable right now.') : json(200, aTrial())) });
    renderAt('/');
    expect((await screen.findByRole('alert')).textContent).toContain('The database is not reachable right now.');
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    await screen.findByTestId('countdown');
  });

  it('never shows a session of an ended trial as Ready, nor its notebook', async () => {
    fake = installFakeApi({ ...dashboardRoutes, 'GET /api/trial': json(200, aTrial({ state: 'ended', endReason: 'user', secondsLeft: null })), 'GET /api/sessions': json(200, [aSession({ state: 'ready', notebookUrl: '/x' })]) });
    renderAt('/');
    await screen.findByRole('heading', { name: 'Your trial has ended' });
    const row = await screen.findByRole('row', { name: /Session 0f5b0d8e/ });
    expect(row.textContent).toMatch(/Stopping/);
    expect(row.textContent).not.toMatch(/Ready/);
  });

  it('disables Launch while a session runs, and says why', async () => {
    fake = installFakeApi({ ...dashboardRoutes, 'GET /api/trial': json(200, aTrial({ sessionsAllowed: 1 })), 'GET /api/sessions': json(200, [aSession({ state: 'ready' })]) });
    renderAt('/');
    const launch = (await screen.findByRole('button', { name: 'Launch' })) as HTMLButtonElement;
    await waitFor(() => expect(launch.disabled).toBe(true));
    expect(document.getElementById(launch.getAttribute('aria-describedby')!)!.textContent).toMatch(/already have a session running or starting, and your trial allows 1 at a time/);
  });

  it('in local mode offers this computer only, and says it is local mode', async () => {
    const local = (over: object) => aProfile({ runtime: 'local', displayName: 'This computer (local mode)', machine: 'box: 2 CPUs, 8.0 GB memory, no GPU', ...over });
    fake = installFakeApi({ ...dashboardRoutes, 'GET /api/trial': json(200, aTrial()), 'GET /api/profiles': json(200, [local({ name: 'power8-gpu', offered: false, isDefault: false }), local({ name: 'cpu', gpus: 0, offered: true, isDefault: true })]) });
    renderAt('/');
    expect((await screen.findByTestId('local-mode')).textContent).toMatch(/Local mode\..*no GPU/);
    expect(screen.getAllByRole('radio')).toHaveLength(1);
    expect((screen.getByRole('radio', { name: /This computer \(local mode\).*2 CPUs/ }) as HTMLInputElement).checked).toBe(true);
  });

  it('launches the chosen profile and opens the session page; a refusal is shown in words', async () => {
    let refuse = true;
    fake = installFakeApi({
      ...dashboardRoutes,
      'GET /api/trial': json(200, aTrial()),
      'POST /api/sessions': () => (refuse ? apiError(409, 'You already have 1 running session, the most your plan allows.') : json(202, aSession())),
      [`GET /api/sessions/${aSession().id}`]: json(200, aSession({ queuePosition: 2, reason: 'No GPU node has a free nvidia.com/gpu; you are 2nd in the queue' })),
    });
    renderAt('/');
    fireEvent.click(await screen.findByRole('radio', { name: /CPU only/ }));
    fireEvent.click(screen.getByRole('button', { name: 'Launch' }));
    expect((await screen.findByRole('alert')).textContent).toBe('You already have 1 running session, the most your plan allows.');
    refuse = false;
    fireEvent.click(screen.getByRole('button', { name: 'Launch' }));
    await screen.findByRole('heading', { name: /Notebook session/ });
    expect(fake.calls.filter((c) => c.method === 'POST').at(-1)!.body).toEqual({ profile: 'cpu' });
    expect(document.body.textContent).toMatch(/number 2 in the queue\. \(No GPU node has a free nvidia\.com\/gpu\.\)/);
  });

  it('ends the trial only after the confirmation dialog', async () => {
    fake = installFakeApi({ ...dashboardRoutes, 'GET /api/trial': json(200, aTrial()), 'DELETE /api/trial': json(200, aTrial({ state: 'ended', endReason: 'user', secondsLeft: null })) });
    renderAt('/');
    fireEvent.click(await screen.findByRole('button', { name: 'End trial' }));
    const dialog = screen.getByRole('dialog', { name: 'End your trial now?' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Keep my trial' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(fake.calls.some((c) => c.method === 'DELETE')).toBe(false);
    fireEvent.click(screen.getByRole('button', { name: 'End trial' }));
    fireEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'End trial' }));
    await screen.findByRole('heading', { name: 'Your trial has ended' });
    expect(screen.getByText('You ended it.', { exact: false })).toBeTruthy();
  });
});

describe('session page', () => {
  const id = aSession().id;

  it('shows the reason of a failed launch and offers Resume, not Stop', async () => {
    const failed = aSession({
      state: 'failed',
      reason: 'The notebook image could not be pulled (registry.example/notebook:missing).',
      events: [
        { at: '2026-01-01T10:00:00Z', from: null, to: 'queued', reason: null, message: 'Launch requested' },
        { at: '2026-01-01T10:00:01Z', from: 'queued', to: 'provisioning', reason: null, message: 'Creating the workspace and the notebook pod' },
        { at: '2026-01-01T10:00:05Z', from: 'provisioning', to: 'failed', reason: 'ImagePullBackOff', message: 'The notebook image could not be pulled.' },
      ],
    });
    fake = installFakeApi({ ...loggedIn, 'GET /api/trial': json(200, aTrial()), [`GET /api/sessions/${id}`]: json(200, failed) });
    renderAt(`/sessions/${id}`);
    await screen.findByRole('button', { name: 'Resume' });
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('The session failed. The notebook image could not be pulled (registry.example/notebook:missing).');
    expect(screen.getByRole('button', { name: 'Resume' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Stop' })).toBeNull();
    expect(screen.queryByRole('link', { name: 'Open notebook' })).toBeNull();
    expect(screen.getByRole('log').querySelectorAll('li')).toHaveLength(3);
    expect(screen.getByText('Failed here')).toBeTruthy();
  });

  it('links to the notebook once ready, and stops on request', async () => {
    const ready = aSession({ state: 'ready', notebookUrl: `/notebook/${id}/tree`, mode: 'jupyter', stopsAt: '2026-01-01T14:00:00Z' });
    fake = installFakeApi({ ...loggedIn, 'GET /api/trial': json(200, aTrial()), [`GET /api/sessions/${id}`]: json(200, ready), [`DELETE /api/sessions/${id}`]: json(202, { ...ready, state: 'stopping', notebookUrl: null }) });
    renderAt(`/sessions/${id}`);
    const open = await screen.findByRole('link', { name: 'Open notebook' });
    expect(open.getAttribute('href')).toBe(`/notebook/${id}/tree`);
    // A new tab, without a handle back to the portal's window.
    expect([open.getAttribute('target'), open.getAttribute('rel')]).toEqual(['_blank', 'noopener']);
    expect(screen.getByRole('list', { name: 'Launch progress' }).querySelectorAll('.step-done')).toHaveLength(4);
    // Stop asks first, and says what is kept; nothing is sent until it is confirmed.
    fireEvent.click(screen.getByRole('button', { name: 'Stop' }));
    const confirm = screen.getByRole('dialog', { name: 'Stop this session?' });
    expect(confirm.textContent).toMatch(/results\/ are saved as results when the session stops/);
    expect(fake.calls.some((c) => c.method === 'DELETE')).toBe(false);
    fireEvent.click(within(confirm).getByRole('button', { name: 'Stop session' }));
    await screen.findByText(/Stopping: saving your outputs/);
    expect(screen.queryByRole('link', { name: 'Open notebook' })).toBeNull();
  });

  it('offers no Resume and no "kept until the trial ends" once the trial has ended', async () => {
    const stopped = aSession({ state: 'stopped', stoppedAt: '2026-01-01T12:00:00Z' });
    fake = installFakeApi({ ...loggedIn, 'GET /api/trial': json(200, aTrial({ state: 'ended', endReason: 'user', secondsLeft: null })), [`GET /api/sessions/${id}`]: json(200, stopped), 'GET /api/profiles': json(200, [aProfile()]) });
    renderAt(`/sessions/${id}`);
    await screen.findByText(/Your trial has ended, so this session cannot be resumed/);
    expect(screen.queryByRole('button', { name: 'Resume' })).toBeNull();
    expect(document.body.textContent).not.toMatch(/kept until the trial ends/);
    expect(document.body.textContent).not.toMatch(/Trial ends/i);
    // The machine by its name, not its slug.
    await screen.findByText('POWER8 + NVIDIA GPU');
    expect(document.body.textContent).not.toContain('power8-gpu');
  });

  it('says when a session does not exist', async () => {
    fake = installFakeApi({ ...loggedIn });
    renderAt(`/sessions/${id}`);
    expect((await screen.findByRole('alert')).textContent).toContain(`No route GET /api/sessions/${id}`);
    expect(screen.getByRole('link', { name: 'Back to the dashboard' })).toBeTruthy();
  });
});

describe('results', () => {
  it('explains how to get results when there are none', async () => {
    fake = installFakeApi({ ...loggedIn, 'GET /api/results': json(200, []) });
    renderAt('/results');
    await screen.findByRole('heading', { name: 'No saved results yet' });
  });

  it('shows an error when results cannot be loaded', async () => {
    fake = installFakeApi({ ...loggedIn, 'GET /api/results': apiError(500, 'Something failed on our side. Try again.') });
    renderAt('/results');
    expect((await screen.findByRole('alert')).textContent).toBe('Something failed on our side. Try again.');
  });

  it('draws the metrics, curves, confusion matrix and before/after table of a result', async () => {
    const artifacts = ['history.json', 'confusion.json', 'before-after.json', 'metrics.json', 'images/a.jpg'].map((name) => ({ name, size: 1234, sha256: 'x', contentType: name.endsWith('.jpg') ? 'image/jpeg' : 'application/json' }));
    fake = installFakeApi({
      ...loggedIn,
      'GET /api/results/r1': json(200, { id: 'r1', title: 'Pools', metrics: { testAccuracy: 0.846, validationAccuracy: 0.8, trainAccuracy: 0.95, testCount: 52, classes: ['pool', 'no_pool'], steps: 500 }, artifacts, createdAt: '2026-01-01T10:00:00Z', expiresAt: null }),
      'GET /api/results/r1/files/history.json': json(200, [{ step: 1, trainAccuracy: 0.5, crossEntropy: 0.7, validationAccuracy: 0.5 }, { step: 500, trainAccuracy: 0.95, crossEntropy: 0.2, validationAccuracy: 0.8 }]),
      'GET /api/results/r1/files/confusion.json': json(200, { classes: ['pool', 'no_pool'], matrix: [[20, 6], [2, 24]] }),
      'GET /api/results/r1/files/before-after.json': json(200, [{ image: 'pool/a.jpg', label: 'pool', before: { pool: 0.3, no_pool: 0.7 }, after: { pool: 0.9, no_pool: 0.1 } }]),
    });
    renderAt('/results/r1');
    await screen.findByRole('heading', { name: 'Pools' });
    expect(screen.getByText('84.6 %')).toBeTruthy();
    // The headline never stands without its N and interval (44 of 52 right: Wilson 72–92 %).
    expect(screen.getByTestId('headline').textContent).toBe('85 % accuracy (95 % interval 72 %–92 %, 52 test images)');
    expect(screen.getByText('Test accuracy (52 images)')).toBeTruthy();
    const accuracy = await screen.findByRole('img', { name: /Accuracy during training/ });
    expect(accuracy.querySelectorAll('path[data-series]')).toHaveLength(2);
    expect(accuracy.getAttribute('aria-label')).toMatch(/Validation accuracy: 80%/);
    const matrix = await screen.findByRole('img', { name: 'Confusion matrix: 44 of 52 test images classified correctly.' });
    expect([...matrix.querySelectorAll('[data-cell] text')].map((t) => t.textContent)).toEqual(['20', '6', '2', '24']);
    const image = await screen.findByRole('img', { name: 'Test image a.jpg' });
    expect(image.getAttribute('src')).toBe('/api/results/r1/files/images/a.jpg');
    const row = image.closest('tr')!;
    expect(row.querySelector('.wrong')?.textContent).toMatch(/no pool/);
    expect(row.querySelector('.ok')?.textContent).toMatch(/pool \(90 %\)/);
    expect(screen.getByRole('link', { name: 'Download all (.zip)' }).getAttribute('href')).toBe('/api/results/r1/download');
  });

  it('says so when a result has no charts to draw', async () => {
    fake = installFakeApi({ ...loggedIn, 'GET /api/results/r2': json(200, { id: 'r2', title: 'Bare', metrics: null, artifacts: [], createdAt: '2026-01-01T10:00:00Z', expiresAt: null }) });
    renderAt('/results/r2');
    await screen.findByText('This result has no training history.');
    expect(screen.getByText('This result has no confusion matrix.')).toBeTruthy();
    expect(screen.getByText('This result has no files.')).toBeTruthy();
  });

  it('creates a share link with an expiry, copies it and revokes it', async () => {
    let shares: Array<Record<string, unknown>> = [];
    fake = installFakeApi({
      ...loggedIn,
      'GET /api/results/r1': json(200, { id: 'r1', title: 'Pools', metrics: null, artifacts: [], createdAt: '2026-01-01T10:00:00Z', expiresAt: null }),
      'GET /api/results/r1/shares': () => json(200, shares),
      'POST /api/results/r1/shares': ({ body }) => {
        const share = { id: 'sh1', url: '/share/tok123', token: 'tok123', createdAt: new Date().toISOString(), expiresAt: new Date(Date.now() + (body as { expiresInDays: number }).expiresInDays * 86400_000).toISOString(), revokedAt: null };
        shares = [share];
        return json(201, share);
      },
      'DELETE /api/results/r1/shares/sh1': () => ((shares = []), { status: 204 }),
    });
    const written: string[] = [];
    Object.defineProperty(navigator, 'clipboard', { value: { writeText: async (t: string) => void written.push(t) }, configurable: true });
    renderAt('/results/r1');
    fireEvent.click(await screen.findByRole('button', { name: 'Share' }));
    const dialog = screen.getByRole('dialog', { name: 'Share this result' });
    await within(dialog).findByTestId('no-shares');
    fireEvent.change(within(dialog).getByLabelText('Link expires after'), { target: { value: '30' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create link' }));
    const url = (await within(dialog).findByLabelText('Your new link')) as HTMLInputElement;
    expect(url.value).toMatch(/\/share\/tok123$/);
    expect(fake.calls.find((c) => c.method === 'POST')!.body).toEqual({ expiresInDays: 30 });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Copy link' }));
    await within(dialog).findByText('Link copied to the clipboard.');
    expect(written).toEqual([url.value]);
    fireEvent.click(await within(dialog).findByRole('button', { name: /Revoke the link/ }));
    // Revoke asks first; the link stays until confirmed.
    expect(fake.calls.some((c) => c.method === 'DELETE')).toBe(false);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Revoke link' }));
    const none = await within(dialog).findByTestId('no-shares');
    await waitFor(() => expect(document.activeElement).toBe(none));
    fireEvent.keyDown(document.activeElement!, { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(within(dialog).queryByLabelText('Your new link')).toBeNull();
  });
});

describe('account settings', () => {
  it('resends the verification mail and reports a wrong current password', async () => {
    fake = installFakeApi({
      'GET /api/auth/me': json(200, { user: aUser({ verified: false }), csrfToken: 'c' }),
      'POST /api/auth/verify/resend': json(202, { sent: true }),
      'PUT /api/auth/password': apiError(400, 'The current password is wrong.'),
    });
    renderAt('/');
    await waitFor(() => expect(document.body.textContent).toMatch(/verify your email/));
    act(() => navigate('/settings'));
    await screen.findByText('Not verified');
    fireEvent.click(screen.getByRole('button', { name: 'Send the verification email again' }));
    await screen.findByText('A new verification email is on its way.');
    fireEvent.change(screen.getByLabelText('Current password'), { target: { value: 'wrong-one' } });
    fireEvent.change(screen.getByLabelText('New password'), { target: { value: 'new-password-1' } });
    fireEvent.change(screen.getByLabelText('Repeat the new password'), { target: { value: 'new-password-1' } });
    fireEvent.click(screen.getByRole('button', { name: 'Change password' }));
    expect((await screen.findByRole('alert')).textContent).toBe('The current password is wrong.');
  });

  it('says email verification is not required here, rather than "Verified", when the installation does not ask for it', async () => {
    fake = installFakeApi({ 'GET /api/auth/me': json(200, { user: aUser({ verified: false, verificationRequired: false }), csrfToken: 'c' }) });
    renderAt('/settings');
    await screen.findByRole('heading', { name: 'Account settings' });
    const row = screen.getByText('Email verification').parentElement!;
    expect(row.textContent).toMatch(/Not required here/);
    expect(row.textContent).not.toMatch(/Verified|Not verified/);
    expect(screen.queryByRole('button', { name: 'Send the verification email again' })).toBeNull();
    expect(document.body.textContent).not.toMatch(/verify your email/);
  });

  it('shows the server’s reason for a refused new password beside the field', async () => {
    fake = installFakeApi({
      'GET /api/auth/me': json(200, { user: aUser(), csrfToken: 'c' }),
      'PUT /api/auth/password': json(400, { statusCode: 400, error: 'Bad Request', message: 'This password is too easy to guess: this is a commonly used password. Add more words that are less common.', details: ['This password is too easy to guess: this is a commonly used password. Add more words that are less common.'], fields: { newPassword: ['This password is too easy to guess: this is a commonly used password. Add more words that are less common.'] } }),
    });
    renderAt('/settings');
    fireEvent.change(await screen.findByLabelText('Current password'), { target: { value: 'walker-ladder-quietly-47' } });
    fireEvent.change(screen.getByLabelText('New password'), { target: { value: 'password123' } });
    fireEvent.change(screen.getByLabelText('Repeat the new password'), { target: { value: 'password123' } });
    fireEvent.click(screen.getByRole('button', { name: 'Change password' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/too easy to guess/);
    expect(screen.getByLabelText('New password').getAttribute('aria-invalid')).toBe('true');
  });

  it('logs out everywhere and lands on the log-in page', async () => {
    fake = installFakeApi({
      'GET /api/auth/me': json(200, { user: aUser(), csrfToken: 'c' }),
      'POST /api/auth/logout-everywhere': { status: 204 },
    });
    renderAt('/settings');
    fireEvent.click(await screen.findByRole('button', { name: 'Log out everywhere' }));
    await waitFor(() => expect(window.location.pathname).toBe('/login'));
    expect(fake.calls.some((c) => c.method === 'POST' && c.path === '/api/auth/logout-everywhere')).toBe(true);
  });
});

describe('email verification page', () => {
  it('verifies a token once even when the page mounts again before the answer arrives', async () => {
    let answer!: () => void;
    const answered = new Promise<void>((r) => (answer = r));
    let used = false;
    fake = installFakeApi({
      'GET /api/auth/me': json(200, { user: aUser({ verified: false }), csrfToken: 'c' }),
      'POST /api/auth/verify': async () => {
        await answered;
        if (used) return apiError(400, 'This link is invalid, used or expired.');
        used = true;
        return json(200, { verified: true });
      },
    });
    const first = renderAt('/verify-email?token=tok-remount');
    await screen.findByText('Checking your link…');
    first.unmount();
    renderAt('/verify-email?token=tok-remount');
    await screen.findByText('Checking your link…');
    await act(async () => answer());
    await screen.findByText('Your email address is verified.');
    expect(fake.calls.filter((c) => c.method === 'POST' && c.path === '/api/auth/verify')).toHaveLength(1);
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('says in words when the link has no token or was used', async () => {
    fake = installFakeApi({ 'GET /api/auth/me': apiError(401, 'Log in first.'), 'POST /api/auth/verify': apiError(400, 'This link is invalid, used or expired.') });
    renderAt('/verify-email?token=tok-used');
    expect((await screen.findByRole('alert')).textContent).toMatch(/invalid, used or expired/);
    cleanup();
    renderAt('/verify-email');
    expect((await screen.findByRole('alert')).textContent).toMatch(/has no verification token/);
  });
});
