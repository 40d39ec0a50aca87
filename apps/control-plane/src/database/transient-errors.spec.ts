import { describe, expect, it } from 'vitest';
import { isTransientDatabaseError } from './transient-errors';

describe('isTransientDatabaseError', () => {
  it('retries pool timeouts, dropped connections, deadlocks and serialization failures', () => {
    expect(isTransientDatabaseError(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isTransientDatabaseError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isTransientDatabaseError(Object.assign(new Error('deadlock detected'), { code: '40P01' }))).toBe(true);
    expect(isTransientDatabaseError(Object.assign(new Error('query failed'), { driverError: { code: '40001' } }))).toBe(true);
    expect(isTransientDatabaseError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe(true);
  });

  it('does not retry errors about the work itself', () => {
    expect(isTransientDatabaseError(Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' }))).toBe(false);
    expect(isTransientDatabaseError(new Error('Illegal transition from stopped to ready'))).toBe(false);
    expect(isTransientDatabaseError('timeout exceeded when trying to connect')).toBe(false);
  });
});
