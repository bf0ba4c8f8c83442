import { created, recordedEvents, updated } from '../../../test/fixtures/events';
import { schemaOneItems } from '../../../test/fixtures/schema-1';
import { InMemoryDataKeys } from '../../../test/support/in-memory-data-keys';
import {
  decodeEvent,
  decodeSnapshot,
  encodeEvent,
  needsDataKey,
  type SealedSnapshotFields,
  sealedSnapshotFields,
  upcast,
} from './codec';
import { InvalidEventError, NewerSchemaVersionError } from './errors';
import { SCHEMA_VERSION, schemaVersionOf, storedPayloadSchemas } from './schemas';
import type { ReadEvent, RecordedEvent } from './types';

const [creation, rename] = recordedEvents('u1', [
  created('Ada Canary', 'ada.canary@example.com'),
  updated({ name: 'Ada C.' }),
]) as [RecordedEvent, RecordedEvent];
const activeState = {
  status: 'active',
  name: 'Ada Canary',
  email: 'ada.canary@example.com',
  balance: 0,
};

describe('the event codec', () => {
  it('seals personal fields in the payload and the snapshot, and opens them again', async () => {
    const keys = new InMemoryDataKeys();
    const item = encodeEvent(creation, { state: activeState, stateVersion: 1 }, keys.keyFor('u1'));
    expect(JSON.stringify(item)).not.toMatch(/Canary|canary/);
    expect(item).toMatchObject({
      SchemaVersion: 2,
      State: { status: 'active', balance: 0 },
    });
    expect(await decodeEvent(item, keys)).toEqual(creation);
  });

  it('needs no key for an event without personal data, and refuses to seal without one', async () => {
    const balance = recordedEvents('u1', [{ type: 'USER_BALANCE', payload: { delta: 5 } }])[0];
    const item = encodeEvent(
      balance as RecordedEvent,
      { state: { status: 'deleted' }, stateVersion: 1 },
      undefined,
    );
    expect(await decodeEvent(item, new InMemoryDataKeys())).toEqual(balance);
    expect(() => encodeEvent(creation, { state: activeState, stateVersion: 1 }, undefined)).toThrow(
      /No data key/,
    );
  });

  it("reads an erased user's personal fields as null, everything else as it was", async () => {
    const keys = new InMemoryDataKeys();
    const item = encodeEvent(rename, { state: {}, stateVersion: 1 }, keys.keyFor('u1'));
    keys.erase('u1');
    expect(await decodeEvent(item, keys)).toEqual({ ...rename, payload: { name: null } });
  });

  describe("a snapshot's sealed fields carried forward unopened", () => {
    const keys = new InMemoryDataKeys();
    const key = keys.keyFor('u1');
    const later = (version: number, state: Record<string, unknown>, sealed: SealedSnapshotFields) =>
      encodeEvent(
        {
          ...(recordedEvents('u1', [{ type: 'USER_BALANCE', payload: { delta: 1 } }], {
            firstVersion: version,
          })[0] as RecordedEvent),
        },
        { state, stateVersion: 1, carried: sealed },
        undefined,
      );
    const head = encodeEvent(creation, { state: activeState, stateVersion: 1 }, key);
    const carried = sealedSnapshotFields(head);

    it('need no key, keep where they were sealed, and open as they were', () => {
      const state = { ...head.State, balance: 1 };
      expect(needsDataKey(rename, state, carried)).toBe(true); // its payload is personal
      const balance = recordedEvents('u1', [{ type: 'USER_BALANCE', payload: { delta: 1 } }], {
        firstVersion: 7,
      })[0] as RecordedEvent;
      expect(needsDataKey(balance, state, carried)).toBe(false);
      const item = later(7, state, carried);
      expect(item.State.name).toBe(head.State.name);
      expect(item.StateSealedAt).toEqual({ name: 1, email: 1 });
      expect(decodeSnapshot(item, key).state).toEqual({ ...activeState, balance: 1 });
    });

    it('refuse a swapped, moved or replayed ciphertext, and a sealing version after the item', () => {
      const item = later(7, { ...head.State, balance: 1 }, carried);
      const otherUser = encodeEvent(
        { ...creation, userId: 'u2' },
        { state: activeState, stateVersion: 1 },
        keys.keyFor('u2'),
      );
      const bad = [
        // name and email swapped
        { ...item, State: { ...item.State, name: item.State.email, email: item.State.name } },
        // another user's ciphertext, where it was sealed
        { ...item, State: { ...item.State, name: otherUser.State.name } },
        // the ciphertext replayed as if sealed by another version
        { ...item, StateSealedAt: { name: 3, email: 1 } },
      ];
      for (const tampered of bad) {
        expect(() => decodeSnapshot(tampered, key)).toThrow(/does not open/);
      }
      expect(() => decodeSnapshot({ ...item, StateSealedAt: { name: 8, email: 1 } }, key)).toThrow(
        InvalidEventError,
      );
    });
  });

  it('refuses a tampered sealed field, or one moved to another event', async () => {
    const keys = new InMemoryDataKeys();
    const item = encodeEvent(creation, { state: {}, stateVersion: 1 }, keys.keyFor('u1'));
    const payload = JSON.parse(item.Payload);
    const moved = { ...item, Sequence: 2 };
    const swapped = {
      ...item,
      Payload: JSON.stringify({ name: payload.email, email: payload.name }),
    };
    for (const bad of [moved, swapped])
      await expect(decodeEvent(bad, keys)).rejects.toThrow(/does not open/);
  });

  it("reads the previous release's events (schema 1), upcast to the newest version", async () => {
    const [first] = schemaOneItems();
    const decoded = (await decodeEvent(
      first as Record<string, unknown>,
      new InMemoryDataKeys(),
    )) as ReadEvent;
    expect(decoded).toEqual({
      userId: 'legacy-ada',
      version: 1,
      type: 'USER_CREATED',
      payload: { name: 'Ada Legacy', email: 'ada.legacy@example.com' },
      eventId: '3f1b6f2e-8c1d-4a7e-9b2c-000000000001',
      occurredAt: '2026-11-20T09:00:00.000Z',
      correlationId: 'legacy-legacy-ada-1',
      schemaVersion: SCHEMA_VERSION,
    });
    expect(upcast({ ...decoded, schemaVersion: 1 })).toEqual(decoded);
  });

  it('refuses an event of a schema version newer than this release, never guessing at it', async () => {
    const item = {
      ...encodeEvent(creation, { state: {}, stateVersion: 1 }, new InMemoryDataKeys().keyFor('u1')),
      SchemaVersion: SCHEMA_VERSION + 1,
    };
    await expect(decodeEvent(item, new InMemoryDataKeys())).rejects.toBeInstanceOf(
      NewerSchemaVersionError,
    );
  });

  it('refuses a schema-2 event with a personal field in the clear', async () => {
    const item = { ...(schemaOneItems()[0] as Record<string, unknown>), SchemaVersion: 2 };
    await expect(decodeEvent(item, new InMemoryDataKeys())).rejects.toBeInstanceOf(
      InvalidEventError,
    );
  });

  it('passes an unknown type of a known version as an unknown event (its position only)', async () => {
    const item = {
      ...(schemaOneItems()[0] as Record<string, unknown>),
      EventType: 'USER_PROMOTED',
    };
    expect(await decodeEvent(item, new InMemoryDataKeys())).toEqual({
      unknown: true,
      userId: 'legacy-ada',
      version: 1,
      type: 'USER_PROMOTED',
    });
  });

  it('checks schema 2 as schema 3 of its types: schema 3 only added types, every payload the same', async () => {
    for (const [type, schema] of Object.entries(storedPayloadSchemas[2])) {
      expect([
        type,
        storedPayloadSchemas[3][type as keyof (typeof storedPayloadSchemas)[3]],
      ]).toEqual([type, schema]);
    }
    const [first] = schemaOneItems();
    const keys = new InMemoryDataKeys();
    const sealedItem = encodeEvent(creation, { state: {}, stateVersion: 2 }, keys.keyFor('u1'));
    const asSchema2 = { ...sealedItem, SchemaVersion: 2 };
    await expect(decodeEvent(asSchema2, keys)).resolves.toMatchObject({ type: 'USER_CREATED' });
    await expect(
      decodeEvent({ ...asSchema2, Payload: JSON.stringify({ name: 'x' }) }, keys),
    ).rejects.toBeInstanceOf(InvalidEventError);
    // A schema-3 type stored as schema 2 is no event that version knows.
    expect(
      await decodeEvent(
        {
          ...(first as Record<string, unknown>),
          SchemaVersion: 2,
          EventType: 'USER_ERASURE_REQUESTED',
        },
        keys,
      ),
    ).toMatchObject({ unknown: true, type: 'USER_ERASURE_REQUESTED' });
  });

  it('writes each event in the oldest sealed version that holds its type, for the release before', () => {
    expect(
      ['USER_CREATED', 'USER_BALANCE', 'USER_UPDATED', 'USER_DELETED', 'USER_ERASED'].map(
        schemaVersionOf,
      ),
    ).toEqual([2, 2, 2, 2, 2]);
    expect(['USER_ERASURE_REQUESTED', 'USER_ERASURE_CANCELLED'].map(schemaVersionOf)).toEqual([
      3, 3,
    ]);
    const [first] = recordedEvents('u9', [
      { type: 'USER_ERASURE_REQUESTED', payload: { erase_after: '2027-01-01T00:00:00.000Z' } },
    ]);
    expect(
      encodeEvent(first as RecordedEvent, { state: {}, stateVersion: 2 }, undefined).SchemaVersion,
    ).toBe(3);
  });
});
