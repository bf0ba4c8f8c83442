/** One cached value, chained to its neighbours in expiry order. */
type Entry<T> = { id: string; value: T; until: number; sooner?: Entry<T>; later?: Entry<T> };

/** The plaintext data key a cached value holds, if any. */
const keyIn = (value: object): Buffer | undefined => {
  const { key } = value as { key?: unknown };
  return Buffer.isBuffer(key) ? key : undefined;
};

/**
 * A copy with a key of its own: the cache zero-fills the keys it holds when it drops them, so it
 * never shares one with a caller (who may keep it longer, e.g. a migration sealing many events).
 */
const copyOf = <T extends object>(value: T): T => {
  const key = keyIn(value);
  return key ? { ...value, key: Buffer.from(key) } : value;
};

/**
 * What a warm function remembers of users' data keys: each entry for `ttlMs` after it was fetched
 * and never longer, in memory too (a key shredded by an erasure is gone from every warm function
 * within that, even one that is never called again: one unref'd timer, set for the entry that
 * expires first, drops it and zero-fills its key), at most `maxEntries` of them (memory stays
 * bounded however many users one function sees), and one lookup at a time per user (a burst for
 * one user, e.g. a rebuild of a long history, costs one key-table read and one KMS call, not one
 * per event).
 */
export class KeyCache<T extends object> {
  /** By user; also chained from the soonest expiry to the latest, so expiring looks at one end. */
  private readonly entries = new Map<string, Entry<T>>();
  private soonest: Entry<T> | undefined;
  private latest: Entry<T> | undefined;
  private readonly inFlight = new Map<string, Promise<T>>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt: number | undefined;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number,
  ) {}

  /** How many keys this process holds now. */
  get size() {
    this.dropExpired();
    return this.entries.size;
  }

  /**
   * The cached value, or the one `fetch` brings (shared with every caller asking meanwhile).
   * `remember` decides whether a fetched value may be kept (a user without a key has none).
   */
  async get(id: string, fetch: () => Promise<T>, remember: (value: T) => boolean): Promise<T> {
    const cached = this.entries.get(id);
    if (cached && cached.until > this.now()) return copyOf(cached.value);
    const pending = this.inFlight.get(id);
    if (pending) return pending;
    // Kept from when it was asked for: a slow answer never stretches the time a key lives.
    const askedAt = this.now();
    const lookup = fetch().then((value) => {
      // Forgotten meanwhile (the user is being erased): hand the answer over, keep nothing.
      if (this.inFlight.get(id) === lookup && remember(value)) this.set(id, value, askedAt);
      return value;
    });
    this.inFlight.set(id, lookup);
    try {
      return await lookup;
    } finally {
      if (this.inFlight.get(id) === lookup) this.inFlight.delete(id);
    }
  }

  set(id: string, value: T, since = this.now()) {
    this.drop(id);
    this.insert({ id, value: copyOf(value), until: since + this.ttlMs });
    while (this.entries.size > this.maxEntries && this.soonest) this.drop(this.soonest.id);
    this.dropExpired();
  }

  forget(id: string) {
    this.drop(id);
    this.inFlight.delete(id);
    this.expireInTime();
  }

  /** In expiry order: almost always last; a slow lookup asked earlier lands a few places back. */
  private insert(entry: Entry<T>) {
    let sooner = this.latest;
    while (sooner && sooner.until > entry.until) sooner = sooner.sooner;
    entry.sooner = sooner;
    entry.later = sooner ? sooner.later : this.soonest;
    if (entry.sooner) entry.sooner.later = entry;
    else this.soonest = entry;
    if (entry.later) entry.later.sooner = entry;
    else this.latest = entry;
    this.entries.set(entry.id, entry);
  }

  private drop(id: string) {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.entries.delete(id);
    if (entry.sooner) entry.sooner.later = entry.later;
    else this.soonest = entry.later;
    if (entry.later) entry.later.sooner = entry.sooner;
    else this.latest = entry.sooner;
    keyIn(entry.value)?.fill(0);
  }

  private dropExpired() {
    const now = this.now();
    while (this.soonest && this.soonest.until <= now) this.drop(this.soonest.id);
    this.expireInTime();
  }

  /** One timer, due when the soonest entry expires; it never keeps the process alive. */
  private expireInTime() {
    const at = this.soonest?.until;
    if (at === this.timerAt) return;
    clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = undefined;
    if (at === undefined) return;
    this.timer = setTimeout(
      () => {
        this.timerAt = undefined;
        this.dropExpired();
      },
      Math.max(0, at - this.now()),
    );
    this.timer.unref();
  }
}
