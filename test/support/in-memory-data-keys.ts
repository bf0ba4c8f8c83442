import { randomBytes } from 'node:crypto';
import { type DataKeys, MissingDataKeyError, UserErasedError } from '@users/shared';

/** Data keys in memory, for unit tests of code that seals or opens personal fields. */
export class InMemoryDataKeys implements DataKeys {
  readonly keys = new Map<string, Buffer>();
  readonly erased = new Set<string>();

  /** The user's key, made now if needed, synchronously (for building stored items in tests). */
  keyFor(userId: string): Buffer {
    const key = this.keys.get(userId) ?? randomBytes(32);
    this.keys.set(userId, key);
    return key;
  }

  async read(userId: string) {
    if (this.erased.has(userId)) return undefined;
    const key = this.keys.get(userId);
    if (!key) throw new MissingDataKeyError(userId);
    return key;
  }

  async readOrCreate(userId: string) {
    if (this.erased.has(userId)) throw new UserErasedError(userId);
    return this.keyFor(userId);
  }

  forget() {}

  /** What an erasure does to the key table: a tombstone in place of the key. */
  erase(userId: string) {
    this.keys.delete(userId);
    this.erased.add(userId);
  }
}
