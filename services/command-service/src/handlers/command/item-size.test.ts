import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeEvent, type RecordedEvent, SCHEMA_VERSION } from '@users/shared';
import { evolve, initialState } from '../../domain/user';
import { SNAPSHOT_VERSION } from '../../infrastructure/dynamo-event-store';
import { validateCommandRequest } from './request-validator';

/**
 * An attribute value's size as DynamoDB counts it for capacity: UTF-8 bytes of strings, about one
 * byte per two significant digits of a number plus one, 3 bytes per map or list plus 1 per element
 * and the UTF-8 bytes of every attribute name. DynamoDB Local's ConsumedCapacity steps at exactly
 * 1,024, 2,048 and 3,072 bytes of this count (checked when docs/scale.md was measured).
 */
const sizeOf = (value: unknown): number => {
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number') {
    const digits = String(Math.abs(value))
      .replace('.', '')
      .replace(/^0+|0+$/g, '');
    return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
  }
  if (typeof value === 'boolean' || value === null) return 1;
  const elements = Array.isArray(value)
    ? value.map((element) => ['', element] as const)
    : Object.entries(value as object);
  return elements.reduce((size, [name, element]) => size + sizeOf(name) + sizeOf(element) + 1, 3);
};

const itemSize = (item: object) =>
  Object.entries(item).reduce((size, [name, value]) => size + sizeOf(name) + sizeOf(value), 0);

/** A character of the widest UTF-8 (4 bytes), which names and user ids may hold. */
const WIDE = '😀';
const longestEmail = () => {
  const start = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.`;
  return start + 'd'.repeat(254 - start.length);
};

const creation = (userId: string, name: string, email: string, correlationId: string) => ({
  body: { user_id: userId, event_type: 'USER_CREATED', payload: { name, email } },
  headers: { 'x-correlation-id': correlationId },
});

/** The figures docs/scale.md states for the largest legal creation's event item. */
const documented = () => {
  const scale = readFileSync(join(__dirname, '../../../../../docs/scale.md'), 'utf8');
  const row = /\| event `USER_CREATED`[^|]*\|[^|]*\| ([\d,]+) B, (\d) WRU/.exec(scale);
  if (!row) throw new Error('docs/scale.md states no size for the largest USER_CREATED item');
  return { bytes: Number(row[1]?.replaceAll(',', '')), wru: Number(row[2]) };
};

describe('the largest event item the API can make', () => {
  const userId = WIDE.repeat(128);
  const name = WIDE.repeat(200);
  const email = longestEmail();
  const correlationId = '~'.repeat(128);

  it('comes from the longest legal creation: one character more anywhere is refused', () => {
    expect(validateCommandRequest(creation(userId, name, email, correlationId))).toBe(true);
    for (const longer of [
      creation(`${userId}x`, name, email, correlationId),
      creation(userId, `${name}x`, email, correlationId),
      creation(userId, name, `x${email}`, correlationId),
    ]) {
      expect(validateCommandRequest(longer)).toBe(false);
    }
  });

  it('is no larger than docs/scale.md states, costs the WRU it states, and stays under 4 KB', () => {
    const event = {
      type: 'USER_CREATED',
      payload: { name, email },
      userId,
      version: 1,
      eventId: '9b2f3c4d-1e5a-4b6c-8d7e-0f1a2b3c4d5e',
      occurredAt: '2026-12-03T10:15:30.123Z',
      correlationId,
      schemaVersion: SCHEMA_VERSION,
    } as RecordedEvent;
    const state = evolve(initialState, event) as unknown as Record<string, unknown>;
    const item = encodeEvent(event, { state, stateVersion: SNAPSHOT_VERSION }, randomBytes(32));
    const size = itemSize(item);
    const stated = documented();
    expect(size).toBeLessThanOrEqual(stated.bytes);
    expect(Math.ceil(size / 1024)).toBe(stated.wru);
    // The head read (Query Limit 1, strongly consistent) then stays 1 RRU.
    expect(size).toBeLessThanOrEqual(4096);
  });
});
