import { KeyCache } from './key-cache';

const TTL_MS = 30_000;
const keyOf = (byte: number) => ({ key: Buffer.alloc(32, byte) });
const ZEROS = Buffer.alloc(32);

/**
 * What the process holds, looked at directly: reading `size` would prune it, and the point is
 * that nothing has to call the cache for an expired key to go.
 */
// biome-ignore lint/complexity/useLiteralKeys: the brackets are how a test reaches a private field
const held = (cache: KeyCache<{ key: Buffer }>) => cache['entries'];

const cacheOnFakeClock = (maxEntries = 100) =>
  new KeyCache<{ key: Buffer }>(TTL_MS, maxEntries, () => Date.now());

/** Looks a user's key up through the cache, which may keep it. */
const lookUp = (
  cache: KeyCache<{ key: Buffer }>,
  id: string,
  fetch: () => Promise<{ key: Buffer }>,
) => cache.get(id, fetch, () => true);

const deferred = <T>() => {
  let resolve: (value: T) => void = () => {};
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
};

describe('the data-key cache, in memory', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('drops a key at its expiry without any further call, and zero-fills the copy it held', async () => {
    const cache = cacheOnFakeClock();
    const handedOut = await lookUp(cache, 'u1', async () => keyOf(7));
    const kept = held(cache).get('u1')?.value as { key: Buffer };
    expect(kept.key.equals(keyOf(7).key)).toBe(true);

    jest.advanceTimersByTime(TTL_MS - 1);
    expect(held(cache).has('u1')).toBe(true);
    expect(kept.key.equals(keyOf(7).key)).toBe(true);

    jest.advanceTimersByTime(1);
    expect(held(cache).size).toBe(0);
    expect(kept.key.equals(ZEROS)).toBe(true);
    // A caller's key is its own: wiping the cache's copy never changes what a caller seals with.
    expect(handedOut.key.equals(keyOf(7).key)).toBe(true);
  });

  it('hands every caller a copy, so a key kept by a caller outlives the entry intact', async () => {
    const cache = cacheOnFakeClock();
    const made = keyOf(3);
    cache.set('u1', made);
    const hit = await lookUp(cache, 'u1', async () => keyOf(9));
    expect(hit.key.equals(made.key)).toBe(true);
    expect(hit.key).not.toBe(made.key);
    cache.forget('u1');
    jest.advanceTimersByTime(TTL_MS);
    expect(made.key.equals(keyOf(3).key)).toBe(true);
    expect(hit.key.equals(keyOf(3).key)).toBe(true);
  });

  it('keeps one timer, for the soonest expiry, and drops each key at its own time', () => {
    const cache = cacheOnFakeClock(10_000);
    for (let i = 0; i < 1000; i++) cache.set(`early-${i}`, keyOf(1));
    expect(jest.getTimerCount()).toBe(1);
    jest.advanceTimersByTime(10_000);
    cache.set('late', keyOf(2));
    expect(jest.getTimerCount()).toBe(1);

    jest.advanceTimersByTime(TTL_MS - 10_000);
    expect([...held(cache).keys()]).toEqual(['late']);
    jest.advanceTimersByTime(10_000);
    expect(held(cache).size).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('drops at its own expiry a slow lookup answered after a later one (expiry counts from the ask)', async () => {
    const cache = cacheOnFakeClock();
    const slow = deferred<{ key: Buffer }>();
    const first = lookUp(cache, 'slow', () => slow.promise);
    jest.advanceTimersByTime(1000);
    await lookUp(cache, 'fast', async () => keyOf(2));
    slow.resolve(keyOf(1));
    await first;
    const kept = held(cache).get('slow')?.value as { key: Buffer };

    jest.advanceTimersByTime(TTL_MS - 1000);
    expect([...held(cache).keys()]).toEqual(['fast']);
    expect(kept.key.equals(ZEROS)).toBe(true);
    jest.advanceTimersByTime(1000);
    expect(held(cache).size).toBe(0);
  });

  it('zero-fills a key it drops to stay within its bound, or forgets for an erasure', () => {
    const cache = cacheOnFakeClock(2);
    for (const id of ['a', 'b', 'c']) cache.set(id, keyOf(5));
    expect([...held(cache).keys()]).toEqual(['b', 'c']);
    const erased = held(cache).get('c')?.value as { key: Buffer };
    cache.forget('c');
    expect(erased.key.equals(ZEROS)).toBe(true);
  });
});
