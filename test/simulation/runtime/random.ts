/** A seeded source of randomness (mulberry32): the same seed, the same run. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }

  /** In [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** In [min, max). */
  integer(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.integer(0, items.length)] as T;
  }

  bytes(length: number): Buffer {
    const bytes = Buffer.alloc(length);
    for (let i = 0; i < length; i++) bytes[i] = this.integer(0, 256);
    return bytes;
  }

  /** A new source, seeded from this one: its draws never shift this one's. */
  fork(): Random {
    return new Random(this.integer(0, 2 ** 32));
  }
}

type Patched = { target: Record<string, unknown>; name: string; original: unknown };

/**
 * Makes everything the application draws at random come from `random`: Math.random (jitter,
 * shuffles), crypto's UUIDs, integers and bytes (ids, rounds, the live pointer's copy, the
 * ciphers' IVs). Returns the undo.
 */
export const drawEverythingFrom = (random: Random) => {
  const patched: Patched[] = [];
  const patch = (target: object, name: string, value: unknown) => {
    const record = target as Record<string, unknown>;
    patched.push({ target: record, name, original: record[name] });
    record[name] = value;
  };
  const uuid = () => {
    const bytes = random.bytes(16);
    bytes[6] = ((bytes[6] as number) & 0x0f) | 0x40;
    bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
    const hex = bytes.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };
  // The module object itself: an `import * as` namespace is read-only.
  const crypto = require('node:crypto') as object;
  patch(Math, 'random', () => random.next());
  patch(crypto, 'randomUUID', uuid);
  patch(crypto, 'randomInt', (min: number, max?: number) =>
    max === undefined ? random.integer(0, min) : random.integer(min, max),
  );
  patch(crypto, 'randomBytes', (size: number) => random.bytes(size));
  return () => {
    for (const { target, name, original } of patched.reverse()) target[name] = original;
  };
};
