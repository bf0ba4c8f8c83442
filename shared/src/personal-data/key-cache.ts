/**
 * What a warm function remembers of users' data keys: each entry for `ttlMs` after it was fetched
 * and never longer (a key shredded by an erasure is gone from every warm function within that),
 * at most `maxEntries` of them (memory stays bounded however many users one function sees), and
 * one lookup at a time per user (a burst for one user, e.g. a rebuild of a long history, costs
 * one key-table read and one KMS call, not one per event).
 */
export class KeyCache<T> {
  /** In insertion order, which is expiry order: every entry lives the same `ttlMs`. */
  private readonly entries = new Map<string, { value: T; until: number }>();
  private readonly inFlight = new Map<string, Promise<T>>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number,
  ) {}

  /** How many keys this process holds now, expired ones dropped first. */
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
    if (cached && cached.until > this.now()) return cached.value;
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
    this.entries.delete(id);
    this.entries.set(id, { value, until: since + this.ttlMs });
    this.dropExpired();
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break;
      this.entries.delete(oldest);
    }
  }

  forget(id: string) {
    this.entries.delete(id);
    this.inFlight.delete(id);
  }

  private dropExpired() {
    const now = this.now();
    for (const [id, entry] of this.entries) {
      if (entry.until > now) break;
      this.entries.delete(id);
    }
  }
}
