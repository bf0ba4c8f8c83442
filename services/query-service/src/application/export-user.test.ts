import { randomUUID } from 'node:crypto';
import { decodeEvent, encodeEvent, type RecordedEvent } from '@users/shared';
import { InMemoryDataKeys } from '../../../../test/support/in-memory-data-keys';
import type { UserDetail } from '../projections';
import { type ExportCursor, type ExportRecord, exportCursorOf, exportPage } from './export-user';

const USER = 'user-1';
const DUE = '2027-01-06T10:00:00.000Z';
const ADMIN = { subject: 'admin-7', admin: true };

/** The user's stored items as the command side writes them: personal fields sealed. */
const givenStore = (keys: InMemoryDataKeys, types: RecordedEvent['type'][]) =>
  types.map((type, i) => {
    const payloads: Record<string, object> = {
      USER_CREATED: { name: 'Alice', email: 'alice@example.com' },
      USER_UPDATED: { name: 'Alicia' },
      USER_BALANCE: { delta: 5 },
      USER_ERASED: {},
      USER_ERASURE_REQUESTED: { erase_after: DUE },
      USER_ERASURE_CANCELLED: { erase_after: DUE },
    };
    const event = {
      type,
      payload: payloads[type],
      userId: USER,
      version: i + 1,
      eventId: randomUUID(),
      occurredAt: `2026-12-07T10:00:0${i}.000Z`,
      correlationId: `c-${i + 1}`,
      schemaVersion: 2,
    } as RecordedEvent;
    return encodeEvent(event, { state: {}, stateVersion: i + 1 }, keys.keyFor(USER)) as Record<
      string,
      unknown
    >;
  });

const portsOver = (
  items: Record<string, unknown>[],
  keys: InMemoryDataKeys,
  detail?: UserDetail,
) => {
  const recorded: ExportRecord[] = [];
  const ports = {
    events: {
      newest: async () => items.at(-1),
      eventsOf: async (_: string, from: number, limit: number) =>
        items.filter((item) => (item.Sequence as number) >= from).slice(0, limit),
    },
    keys,
    decode: decodeEvent,
    live: async () => ({ version: 1 as const, detail: detail ?? null }),
    log: { record: async (entry: ExportRecord) => void recorded.push(entry) },
  };
  return { ports, recorded };
};

let exports = 0;
const newExport = () => ({
  exportId: `export-${++exports}`,
  exportedAt: '2026-12-07T12:00:00.000Z',
  until: Date.parse('2026-12-07T13:00:00.000Z'),
});

const detail: UserDetail = {
  userId: USER,
  name: 'Alicia',
  email: 'alice@example.com',
  balance: 5,
  version: 3,
  createdAt: '2026-12-07T10:00:00.000Z',
  updatedAt: '2026-12-07T10:00:02.000Z',
  deleted: false,
  erased: false,
};

const wholeExport = async (ports: ReturnType<typeof portsOver>['ports'], limit: number) => {
  const pages = [];
  let cursor: ExportCursor | undefined;
  do {
    const page = await exportPage(ports, { userId: USER, limit, caller: ADMIN, cursor }, newExport);
    if (!page) throw new Error('not found');
    pages.push(page.body);
    cursor = page.next;
  } while (cursor);
  return pages;
};

describe('a subject export', () => {
  it('gives every event opened, in order, a page at a time, and records the export once', async () => {
    const keys = new InMemoryDataKeys();
    const items = givenStore(keys, ['USER_CREATED', 'USER_UPDATED', 'USER_BALANCE']);
    const { ports, recorded } = portsOver(items, keys, detail);

    const pages = await wholeExport(ports, 2);

    expect(pages.map((page) => page.events.map((event) => event.sequence))).toEqual([[1, 2], [3]]);
    expect(pages[0]?.events[0]).toEqual({
      sequence: 1,
      event_type: 'USER_CREATED',
      payload: { name: 'Alice', email: 'alice@example.com' },
      occurred_at: '2026-12-07T10:00:00.000Z',
      event_id: expect.any(String),
      correlation_id: 'c-1',
    });
    expect(new Set(pages.map((page) => page.export_id)).size).toBe(1);
    expect(pages[0]).toMatchObject({
      erased: false,
      profile: { name: 'Alicia', email: 'alice@example.com', balance: 5, version: 3 },
      read_models: [
        {
          read_model: 'user-detail',
          projection_version: 1,
          fields: expect.arrayContaining(['name', 'email']),
        },
        { read_model: 'user-history', projection_version: 1, fields: expect.any(Array) },
      ],
    });
    expect(pages[1]).not.toHaveProperty('profile');
    expect(recorded).toEqual([
      {
        userId: USER,
        exportId: pages[0]?.export_id,
        exportedAt: '2026-12-07T12:00:00.000Z',
        requestedBy: 'admin-7',
        byAdministrator: true,
      },
    ]);
  });

  it('gives an erasure requested, cancelled and requested again like any event, and the profile says it is pending', async () => {
    const keys = new InMemoryDataKeys();
    const items = givenStore(keys, [
      'USER_CREATED',
      'USER_ERASURE_REQUESTED',
      'USER_ERASURE_CANCELLED',
      'USER_ERASURE_REQUESTED',
    ]);
    const pending = { ...detail, version: 4, erasurePendingUntil: DUE };
    const { ports } = portsOver(items, keys, pending);

    const [page] = await wholeExport(ports, 10);

    expect(page?.events.slice(1)).toEqual(
      [2, 3, 4].map((sequence) => ({
        sequence,
        event_type: sequence === 3 ? 'USER_ERASURE_CANCELLED' : 'USER_ERASURE_REQUESTED',
        payload: { erase_after: DUE },
        occurred_at: `2026-12-07T10:00:0${sequence - 1}.000Z`,
        event_id: expect.any(String),
        correlation_id: `c-${sequence}`,
      })),
    );
    expect(page?.erased).toBe(false);
    expect(page?.profile).toMatchObject({ erasure_pending_until: DUE, deleted: false });
    expect(page?.read_models?.[0]?.fields).toContain('erasure_pending_until');
  });

  it('says nothing of a pending erasure when none is pending', async () => {
    const keys = new InMemoryDataKeys();
    const { ports } = portsOver(givenStore(keys, ['USER_CREATED']), keys, detail);
    const [page] = await wholeExport(ports, 10);
    expect(page?.profile).not.toHaveProperty('erasure_pending_until');
    expect(page?.read_models?.[0]?.fields).not.toContain('erasure_pending_until');
  });

  it('gives nothing personal of a user erased at the end of the grace period, and the request as it was', async () => {
    const keys = new InMemoryDataKeys();
    const items = givenStore(keys, ['USER_CREATED', 'USER_ERASURE_REQUESTED', 'USER_ERASED']);
    // The read models have not applied the erasure yet: their detail still has it pending.
    const { ports } = portsOver(items, keys, { ...detail, erasurePendingUntil: DUE });

    const [page] = await wholeExport(ports, 10);

    expect(page?.erased).toBe(true);
    expect(page?.profile).not.toHaveProperty('erasure_pending_until');
    expect(page?.events.map((event) => event.payload)).toEqual([
      { name: null, email: null },
      { erase_after: DUE },
      {},
    ]);
  });

  it('ends on a page that reaches the newest event, even when it is full', async () => {
    const keys = new InMemoryDataKeys();
    const { ports } = portsOver(givenStore(keys, ['USER_CREATED', 'USER_BALANCE']), keys);
    const pages = await wholeExport(ports, 2);
    expect(pages).toHaveLength(1);
  });

  it("opens nothing of an erased user, even with a key still at hand (a warm function's cache)", async () => {
    const keys = new InMemoryDataKeys();
    const items = givenStore(keys, ['USER_CREATED', 'USER_UPDATED', 'USER_ERASED']);
    // The key is still readable: what a cache would hand out within its 30 s after the erasure.
    const { ports } = portsOver(items, keys, detail);

    const [page] = await wholeExport(ports, 10);

    expect(page?.erased).toBe(true);
    expect(page?.profile).toMatchObject({ name: null, email: null });
    expect(page?.events.map((event) => event.payload)).toEqual([
      { name: null, email: null },
      { name: null },
      {},
    ]);
    expect(JSON.stringify(page)).not.toMatch(/Alic/);
  });

  it('is null for a user the store has never held, and records nothing', async () => {
    const { ports, recorded } = portsOver([], new InMemoryDataKeys());
    expect(
      await exportPage(ports, { userId: USER, limit: 10, caller: ADMIN }, newExport),
    ).toBeNull();
    expect(recorded).toEqual([]);
  });

  it('opens nothing once an erasure commits while the page is read, its key still cached', async () => {
    const keys = new InMemoryDataKeys();
    const items = givenStore(keys, ['USER_CREATED', 'USER_UPDATED', 'USER_ERASED']);
    const { ports } = portsOver(items, keys, detail);
    // The erasure commits while the page is being opened: the key is still at hand.
    let erasedYet = false;
    ports.events.newest = async () => (erasedYet ? items[2] : items[1]);
    ports.events.eventsOf = async () => items.slice(0, 2);
    ports.keys = Object.assign(new InMemoryDataKeys(), {
      read: async (id: string) => {
        const key = await keys.read(id);
        erasedYet = true;
        return key;
      },
    });

    const page = await exportPage(ports, { userId: USER, limit: 10, caller: ADMIN }, newExport);

    expect(page?.body.erased).toBe(true);
    expect(page?.body.profile).toMatchObject({ name: null, email: null });
    expect(JSON.stringify(page?.body)).not.toMatch(/Alic/);
  });

  it("never opens an erased user's events, even with the key still in a warm function's cache", async () => {
    const keys = new InMemoryDataKeys();
    const items = givenStore(keys, ['USER_CREATED', 'USER_UPDATED', 'USER_ERASED']);
    const { ports } = portsOver(items, keys, detail);
    const read = jest.fn((id: string) => keys.read(id));
    ports.keys = Object.assign(new InMemoryDataKeys(), { read });

    const page = await exportPage(ports, { userId: USER, limit: 10, caller: ADMIN }, newExport);

    expect(page?.body.erased).toBe(true);
    expect(read).not.toHaveBeenCalled();
  });

  it("nulls an erased user's personal fields that an old event kept in the clear (schema 1)", async () => {
    const keys = new InMemoryDataKeys();
    const [, erasure] = givenStore(keys, ['USER_CREATED', 'USER_ERASED']);
    const legacy = {
      AggregateID: USER,
      Sequence: 1,
      EventType: 'USER_CREATED',
      Payload: JSON.stringify({ name: 'Alice', email: 'alice@example.com' }),
      EventId: randomUUID(),
      OccurredAt: '2026-12-07T10:00:00.000Z',
      CorrelationId: 'c-1',
      SchemaVersion: 1,
    };
    const { ports } = portsOver([legacy, erasure as Record<string, unknown>], keys);

    const [page] = await wholeExport(ports, 10);

    expect(page?.events[0]?.payload).toEqual({ name: null, email: null });
  });

  it("takes a page token's cursor only while it runs, and only whole", () => {
    const cursor = { exportId: 'e', exportedAt: '2026-12-07T12:00:00.000Z', from: 3, until: 1000 };
    expect(exportCursorOf(cursor, 999)).toEqual(cursor);
    expect(exportCursorOf(cursor, 1000)).toBeUndefined();
    expect(exportCursorOf({ ...cursor, from: 0 }, 0)).toBeUndefined();
    expect(exportCursorOf({ from: 3, until: 1000 }, 0)).toBeUndefined();
  });
});
