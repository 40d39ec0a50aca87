import { afterEach, describe, expect, it } from 'vitest';
import { installFakeApi } from '../testing/fake-api';
import { ApiRequestError, apiRequest, csrfToken, messageOf } from './client';

/** The error a call fails with; a call that succeeds fails the test. */
const failureOf = (call: Promise<unknown>): Promise<ApiRequestError> =>
  call.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e as ApiRequestError,
  );

describe('API client', () => {
  let fake: ReturnType<typeof installFakeApi> | undefined;
  afterEach(() => {
    fake?.restore();
    document.cookie = 'trialhub_csrf=; expires=Thu, 01 Jan 1970 00:00:00 GMT';
  });

  it('reads the CSRF cookie among others', () => {
    expect(csrfToken('a=1; trialhub_csrf=abc%3D; b=2')).toBe('abc=');
    expect(csrfToken('a=1')).toBeNull();
  });

  it('sends the CSRF header on writes only', async () => {
    document.cookie = 'trialhub_csrf=token-123';
    fake = installFakeApi({ 'GET /api/trial': { status: 200, body: { ok: 1 } }, 'POST /api/sessions': { status: 202, body: { id: 's' } } });
    await apiRequest('GET', '/api/trial');
    await apiRequest('POST', '/api/sessions', { profile: 'cpu' });
    expect(fake.calls[0].headers['x-csrf-token']).toBeUndefined();
    expect(fake.calls[1].headers['x-csrf-token']).toBe('token-123');
    expect(fake.calls[1].body).toEqual({ profile: 'cpu' });
  });

  it("turns an API error into the server's message, details and problems by field", async () => {
    const problem = 'Use at least 8 characters for your password.';
    fake = installFakeApi({ 'POST /api/auth/signup': { status: 400, body: { statusCode: 400, error: 'Bad Request', message: problem, details: [problem], fields: { password: [problem] } } } });
    const error = await failureOf(apiRequest('POST', '/api/auth/signup', {}));
    expect(error).toBeInstanceOf(ApiRequestError);
    expect(error.message).toBe(problem);
    expect(error.details).toEqual([problem]);
    expect(error.fields).toEqual({ password: [problem] });
    expect(error.status).toBe(400);
  });

  it('never shows an HTML error page or a network failure raw', async () => {
    fake = installFakeApi({ 'GET /api/trial': { status: 502, body: '<html>Bad gateway</html>' } });
    const gateway = await failureOf(apiRequest('GET', '/api/trial'));
    expect(gateway.message).toBe('Trialhub could not answer (502). Try again in a moment.');
    fake.restore();
    const original = globalThis.fetch;
    globalThis.fetch = (() => Promise.reject(new TypeError('Failed to fetch'))) as typeof fetch;
    const offline = await failureOf(apiRequest('GET', '/api/trial'));
    globalThis.fetch = original;
    expect(offline.message).toBe('Cannot reach Trialhub. Check your connection and try again.');
    expect(messageOf(new Error('at Object.<anonymous> (stack)'))).not.toMatch(/stack|Object/);
  });

  it('answers 204 with undefined', async () => {
    fake = installFakeApi({ 'POST /api/auth/logout': { status: 204 } });
    await expect(apiRequest('POST', '/api/auth/logout')).resolves.toBeUndefined();
  });
});
