import { randomBytes } from 'node:crypto';
import type { DataKeys } from '@users/shared';

/** Data keys in memory, for unit tests of code that seals or opens personal fields. */
export class InMemoryDataKeys implements DataKeys {
  readonly keys = new Map<string, Buffer>();

  /** The user's key, made now if needed, synchronously (for building stored items in tests). */
  keyFor(userId: string): Buffer {
    const key = this.keys.get(userId) ?? randomBytes(32);
    this.keys.set(userId, key);
    return key;
  }

  async read(userId: string) {
    return this.keys.get(userId);
  }

  async readOrCreate(userId: string) {
    return this.keyFor(userId);
  }

  forget() {}

  /** What an erasure does to the key table. */
  erase(userId: string) {
    this.keys.delete(userId);
  }
}
