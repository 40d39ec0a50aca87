import { BadRequestException, type CallHandler, type ExecutionContext } from '@nestjs/common';
import { lastValueFrom, defer } from 'rxjs';
import { QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { ApiExceptionFilter } from '../common/api-exception.filter';
import { RetrySafeRequestsInterceptor } from './retry-safe-requests.interceptor';

const httpContext = (method: string): ExecutionContext =>
  ({ getType: () => 'http', switchToHttp: () => ({ getRequest: () => ({ method, path: '/api/x' }) }) }) as unknown as ExecutionContext;

/** A handler that fails with each of `failures` in turn, then answers. */
function handler(failures: unknown[]): CallHandler & { calls: number } {
  const h = {
    calls: 0,
    handle: () =>
      defer(async () => {
        const failure = failures[h.calls++];
        if (failure) throw failure;
        return 'answer';
      }),
  };
  return h;
}

describe('retrying a request that is safe to repeat after the database went away', () => {
  const interceptor = new RetrySafeRequestsInterceptor(0);

  it('runs a GET once more when its connection was lost, and answers', async () => {
    const h = handler([new QueryRunnerProviderAlreadyReleasedError()]);
    await expect(lastValueFrom(interceptor.intercept(httpContext('GET'), h))).resolves.toBe('answer');
    expect(h.calls).toBe(2);
  });

  it('tries only once more: a second failure goes on to the filter', async () => {
    const h = handler([new QueryRunnerProviderAlreadyReleasedError(), Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })]);
    await expect(lastValueFrom(interceptor.intercept(httpContext('GET'), h))).rejects.toThrow('ECONNREFUSED');
    expect(h.calls).toBe(2);
  });

  it('never repeats a POST (a sign-up may have been committed), nor any error about the request itself', async () => {
    const post = handler([new QueryRunnerProviderAlreadyReleasedError()]);
    await expect(lastValueFrom(interceptor.intercept(httpContext('POST'), post))).rejects.toBeInstanceOf(QueryRunnerProviderAlreadyReleasedError);
    expect(post.calls).toBe(1);
    const bad = handler([new BadRequestException('no')]);
    await expect(lastValueFrom(interceptor.intercept(httpContext('GET'), bad))).rejects.toBeInstanceOf(BadRequestException);
    expect(bad.calls).toBe(1);
  });
});

describe('the answer to a request the database could not serve', () => {
  it('is a 503 with a sentence, not a 500', () => {
    const body = new ApiExceptionFilter().toBody(new QueryRunnerProviderAlreadyReleasedError());
    expect(body).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
    expect(body.message).toMatch(/database is briefly unavailable.*try again/i);
  });

  it('stays a 500 for a real bug', () => {
    expect(new ApiExceptionFilter().toBody(new TypeError('x is undefined')).statusCode).toBe(500);
  });
});
