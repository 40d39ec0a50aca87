import { CanActivate, Controller, Get, Injectable, Module, Post } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { AddressInfo } from 'node:net';
import { QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApiExceptionFilter } from '../common/api-exception.filter';
import { accessLog } from '../logging/access-log';
import { jsonLinesSink } from '../../../../test/support/json-lines';
import { rootLogger } from '../logging/root-logger';
import { SafeRequestRetry } from './safe-request-retry';

/** What each route does on its next calls: fail with the database gone, fail with a bug, or answer. */
const plan = { handler: [] as Array<'gone' | 'bug'>, guard: [] as Array<'gone'>, calls: 0, guardCalls: 0 };
const gone = () => new QueryRunnerProviderAlreadyReleasedError();

@Injectable()
class FlakyGuard implements CanActivate {
  canActivate(): boolean {
    plan.guardCalls++;
    if (plan.guard.shift() === 'gone') throw gone();
    return true;
  }
}

@Controller('flaky')
class FlakyController {
  private next(): { calls: number } {
    plan.calls++;
    const failure = plan.handler.shift();
    if (failure === 'gone') throw gone();
    if (failure === 'bug') throw new TypeError('x is undefined');
    return { calls: plan.calls };
  }

  @Get()
  read() {
    return Promise.resolve().then(() => this.next());
  }

  @Post()
  write() {
    return this.next();
  }
}

@Module({
  controllers: [FlakyController],
  providers: [
    { provide: SafeRequestRetry, useFactory: () => new SafeRequestRetry(0) },
    { provide: APP_FILTER, useClass: ApiExceptionFilter },
    { provide: APP_GUARD, useClass: FlakyGuard },
  ],
})
class FlakyModule {}

describe('a request the database could not serve, over real HTTP through Nest', () => {
  let app: NestExpressApplication;
  let url = '';
  const lines: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    app = await NestFactory.create<NestExpressApplication>(FlakyModule, { logger: false });
    app.use(accessLog(rootLogger('info', jsonLinesSink(lines))));
    app.get(SafeRequestRetry).dispatchTo(app.getHttpAdapter().getInstance());
    await app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}/flaky`;
  });
  afterAll(() => app?.close());
  beforeEach(() => {
    Object.assign(plan, { handler: [], guard: [], calls: 0, guardCalls: 0 });
    lines.length = 0;
  });

  it('handles a GET once more when its connection was lost, and answers it, with one access line', async () => {
    plan.handler = ['gone'];
    const r = await fetch(url, { headers: { 'x-request-id': 'retry-1' } });
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ calls: 2 });
    expect(r.headers.get('x-request-id')).toBe('retry-1');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(lines.filter((l) => (l.req as { id?: string })?.id === 'retry-1')).toHaveLength(1);
  });

  it('also when the database failed in a guard (the token check reads it too)', async () => {
    plan.guard = ['gone'];
    const r = await fetch(url);
    expect(r.status).toBe(200);
    expect(plan.guardCalls).toBe(2);
    expect(plan.calls).toBe(1);
  });

  it('tries only once more: a second failure is a 503 with Retry-After and a sentence', async () => {
    plan.handler = ['gone', 'gone'];
    const r = await fetch(url);
    expect(r.status).toBe(503);
    expect(r.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await r.json()).message).toMatch(/database is briefly unavailable.*try again/i);
    expect(plan.calls).toBe(2);
  });

  it('never repeats a POST (a sign-up may have been committed), nor a request that failed for another reason', async () => {
    plan.handler = ['gone'];
    const post = await fetch(url, { method: 'POST' });
    expect(post.status).toBe(503);
    expect(plan.calls).toBe(1);
    plan.handler = ['bug'];
    const bug = await fetch(url);
    expect(bug.status).toBe(500);
    expect(plan.calls).toBe(2);
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
