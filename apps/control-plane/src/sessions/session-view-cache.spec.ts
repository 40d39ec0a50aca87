import { describe, expect, it } from 'vitest';
import { ViewCache } from './session-view-cache';

interface V {
  id: string;
  trial: string;
  state: string;
  n: number;
}

function setup(options: { maxEntries?: number; ttlMs?: number } = {}) {
  let now = 1_000_000;
  const cache = new ViewCache<V>({ ttlMs: options.ttlMs ?? 2000, maxEntries: options.maxEntries ?? 100, cacheable: (v) => v.state !== 'queued', groupOf: (v) => v.trial, now: () => now });
  cache.setListening(true);
  let loads = 0;
  const db = new Map<string, V>();
  const put = (id: string, state = 'ready', trial = 't1') => db.set(id, { id, trial, state, n: 0 });
  const change = (id: string) => (db.get(id)!.n += 1);
  const load = (id: string) => async () => {
    loads++;
    const v = db.get(id);
    return v ? { ...v } : null;
  };
  const get = (id: string) => cache.get(id, load(id));
  return { cache, put, change, get, load, db, loads: () => loads, tick: (ms: number) => (now += ms) };
}

/** A load that returns what the database held when it started, but only finishes when told. */
function deferredLoad(value: V) {
  let finish!: () => void;
  const gate = new Promise<void>((r) => (finish = r));
  const snapshot = { ...value };
  return { load: async () => (await gate, snapshot), finish };
}

describe('ViewCache', () => {
  it('serves a second read from memory, and reads again after the key is invalidated', async () => {
    const t = setup();
    t.put('a');
    expect((await t.get('a'))!.n).toBe(0);
    t.change('a');
    expect((await t.get('a'))!.n).toBe(0);
    expect(t.loads()).toBe(1);
    t.cache.handle('s:a');
    expect((await t.get('a'))!.n).toBe(1);
    expect(t.loads()).toBe(2);
  });

  it('never stores a read that raced with an invalidation of its key', async () => {
    const t = setup();
    t.put('a');
    const slow = deferredLoad(t.db.get('a')!);
    const racing = t.cache.get('a', slow.load);
    // The change commits and is announced while the read is in flight (its snapshot is older).
    t.change('a');
    t.cache.handle('s:a');
    slow.finish();
    expect((await racing)!.n).toBe(0); // the request that came before the change gets the old view…
    expect((await t.get('a'))!.n).toBe(1); // …but it was not kept: the next one reads again
    expect(t.loads()).toBe(1);
    expect((await t.get('a'))!.n).toBe(1);
    expect(t.loads()).toBe(1);
  });

  it('an invalidation of another key does not stop a read from being kept', async () => {
    const t = setup();
    t.put('a');
    const slow = deferredLoad(t.db.get('a')!);
    const racing = t.cache.get('a', slow.load);
    t.cache.handle('s:b');
    slow.finish();
    await racing;
    await t.get('a');
    expect(t.loads()).toBe(0);
  });

  it('requests arriving while a read is in flight share it; after an invalidation a new read starts', async () => {
    const t = setup();
    t.put('a');
    const slow = deferredLoad(t.db.get('a')!);
    const first = t.cache.get('a', slow.load);
    const second = t.get('a');
    t.change('a');
    t.cache.handle('s:a');
    const third = t.get('a');
    slow.finish();
    expect((await first)!.n).toBe(0);
    expect((await second)!.n).toBe(0);
    expect((await third)!.n).toBe(1);
    expect(t.loads()).toBe(1);
    expect((await t.get('a'))!.n).toBe(1);
    expect(t.loads()).toBe(1);
  });

  it('a read in flight across a loss of the listener (or a clear) is not kept', async () => {
    const t = setup();
    t.put('a');
    const slow = deferredLoad(t.db.get('a')!);
    const racing = t.cache.get('a', slow.load);
    t.cache.setListening(false);
    t.cache.setListening(true);
    slow.finish();
    await racing;
    await t.get('a');
    expect(t.loads()).toBe(1);
  });

  it('bypasses the cache entirely while not listening', async () => {
    const t = setup();
    t.put('a');
    await t.get('a');
    t.cache.setListening(false);
    t.change('a');
    expect((await t.get('a'))!.n).toBe(1);
    t.change('a');
    expect((await t.get('a'))!.n).toBe(2);
    expect(t.loads()).toBe(3);
    expect(t.cache.size).toBe(0);
    expect(t.cache.stats.bypassed).toBe(2);
  });

  it('drops entries after the TTL even without a notification', async () => {
    const t = setup({ ttlMs: 2000 });
    t.put('a');
    await t.get('a');
    t.change('a');
    t.tick(1999);
    expect((await t.get('a'))!.n).toBe(0);
    t.tick(1);
    expect((await t.get('a'))!.n).toBe(1);
    expect(t.loads()).toBe(2);
  });

  it('keeps at most maxEntries, forgetting the oldest', async () => {
    const t = setup({ maxEntries: 2 });
    for (const id of ['a', 'b', 'c']) t.put(id);
    await t.get('a');
    await t.get('b');
    await t.get('c');
    expect(t.cache.size).toBe(2);
    await t.get('b');
    await t.get('c');
    expect(t.loads()).toBe(3);
    await t.get('a');
    expect(t.loads()).toBe(4);
  });

  it('does not keep queued sessions, missing sessions, or failed reads', async () => {
    const t = setup();
    t.put('q', 'queued');
    await t.get('q');
    await t.get('q');
    expect(t.loads()).toBe(2);
    expect(await t.get('missing')).toBeNull();
    expect(await t.get('missing')).toBeNull();
    expect(t.loads()).toBe(4);
    await expect(t.cache.get('x', async () => Promise.reject(new Error('db down')))).rejects.toThrow('db down');
    t.put('x');
    expect(await t.get('x')).not.toBeNull();
    expect(t.cache.size).toBe(1);
  });

  it('t:<trial> forgets that trial’s sessions only; * forgets everything', async () => {
    const t = setup();
    t.put('a', 'ready', 't1');
    t.put('b', 'ready', 't1');
    t.put('c', 'ready', 't2');
    for (const id of ['a', 'b', 'c']) await t.get(id);
    t.cache.handle('t:t1');
    expect(t.cache.size).toBe(1);
    for (const id of ['a', 'b', 'c']) await t.get(id);
    expect(t.loads()).toBe(5);
    t.cache.handle('*');
    expect(t.cache.size).toBe(0);
  });

  it('a trial invalidation also detaches reads in flight (their trial is not known yet)', async () => {
    const t = setup();
    t.put('a', 'ready', 't1');
    const slow = deferredLoad(t.db.get('a')!);
    const racing = t.cache.get('a', slow.load);
    t.cache.handle('t:t1');
    slow.finish();
    await racing;
    await t.get('a');
    expect(t.loads()).toBe(1);
  });
});
