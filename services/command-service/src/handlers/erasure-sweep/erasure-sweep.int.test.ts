import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import {
  COMMAND_TABLES,
  type CommandTables,
  sendCommand,
  storedEventTypes,
  testEventStore,
} from '../../../../../test/support/command-store';
import {
  createTestTables,
  deleteTestTables,
  testDocumentClient,
} from '../../../../../test/support/integration';
import type { CommandDependencies } from '../../application/execute-command';
import { DynamoPendingErasures } from '../../infrastructure/dynamo-pending-erasures';
import { createEraser } from '../scheduled-erasure/scheduled-erasure';
import { createErasureSweep } from './erasure-sweep';

const client = testDocumentClient();
const GRACE_SECONDS = 30 * 24 * 60 * 60;
const MINUTE = 60_000;
let tables: Omit<CommandTables, 'PendingErasuresTable'>;
/** Each test its own pending erasures: a sweep reads them all, and reports on them all. */
let pendingTable: Pick<CommandTables, 'PendingErasuresTable'>;
let deps: CommandDependencies;

beforeAll(async () => {
  tables = await createTestTables(
    COMMAND_TABLES.filter((table) => table !== 'PendingErasuresTable'),
  );
});
beforeEach(async () => {
  pendingTable = await createTestTables(['PendingErasuresTable']);
  deps = {
    store: testEventStore({ ...tables, ...pendingTable }),
    now: () => new Date(),
    newEventId: randomUUID,
    retryPolicy: { maxAttempts: 50, baseMs: 3, capExponent: 0 },
    erasureGraceSeconds: GRACE_SECONDS,
  };
});
afterEach(() => deleteTestTables(pendingTable));
afterAll(() => deleteTestTables(tables));

const send = (userId: string, type: string, payload: object = {}) =>
  sendCommand(deps, userId, type, payload);

const eventTypes = (userId: string) => storedEventTypes(tables.EventsTable, userId);

const pendingRow = async (userId: string) =>
  (
    await client.send(
      new GetCommand({
        TableName: pendingTable.PendingErasuresTable,
        Key: { UserID: userId },
        ConsistentRead: true,
      }),
    )
  ).Item;

const keyShredded = async (userId: string) => {
  const { Item } = await client.send(
    new GetCommand({
      TableName: tables.DataKeysTable,
      Key: { UserID: userId },
      ConsistentRead: true,
    }),
  );
  return Item?.Erased === true && Item.WrappedKey === undefined;
};

/** A user with a pending erasure whose schedule never fires (none was made), and its due time. */
const pendingUser = async () => {
  const userId = `sweep-${randomUUID()}`;
  await send(userId, 'USER_CREATED', { name: 'Sweep Canary', email: 'sweep@example.com' });
  const requested = await send(userId, 'USER_ERASURE_REQUESTED');
  if (requested.kind !== 'stored') throw new Error(`not requested: ${JSON.stringify(requested)}`);
  const eraseAfter = new Date(
    Date.parse(requested.result.occurredAt as string) + GRACE_SECONDS * 1000,
  ).toISOString();
  return { userId, eraseAfter };
};

/** The sweep run `lateMs` after `eraseAfter`, by its own clock, with a minute of its time. */
const sweepAt = (eraseAfter: string, lateMs: number) =>
  createErasureSweep(
    { ...deps, now: () => new Date(Date.parse(eraseAfter) + lateMs) },
    new DynamoPendingErasures(client, pendingTable.PendingErasuresTable),
  )(undefined, { getRemainingTimeInMillis: () => MINUTE });

/** The request's schedule firing, `lateMs` after its due time. */
const fireAt = (userId: string, eraseAfter: string, lateMs: number) =>
  createEraser({ ...deps, now: () => new Date(Date.parse(eraseAfter) + lateMs) })({
    user_id: userId,
    erase_after: eraseAfter,
    scheduled_time: eraseAfter,
    execution_id: randomUUID(),
  });

const erasuresOf = async (userId: string) =>
  (await eventTypes(userId)).filter((type) => type === 'USER_ERASED').length;

describe('the erasure sweep', () => {
  it('carries out a request whose firing was lost, once: one USER_ERASED, the key shredded', async () => {
    const { userId, eraseAfter } = await pendingUser();
    expect(await sweepAt(eraseAfter, 6 * MINUTE)).toEqual({
      erased: 1,
      alreadyErased: 0,
      notPending: 0,
      failed: 0,
      left: 0,
      notDue: 0,
      complete: true,
    });
    expect(await eventTypes(userId)).toEqual([
      'USER_CREATED',
      'USER_ERASURE_REQUESTED',
      'USER_ERASED',
    ]);
    expect(await keyShredded(userId)).toBe(true);
    expect(await pendingRow(userId)).toBeUndefined();
    // The next run finds nothing; the firing, should it come after all, stores nothing.
    expect(await sweepAt(eraseAfter, 66 * MINUTE)).toMatchObject({ erased: 0, complete: true });
    expect(await fireAt(userId, eraseAfter, 67 * MINUTE)).toEqual({ outcome: 'already erased' });
    expect(await erasuresOf(userId)).toBe(1);
  });

  it('does nothing for a cancelled request: its row went with the cancellation', async () => {
    const { userId, eraseAfter } = await pendingUser();
    expect(await pendingRow(userId)).toEqual({ UserID: userId, EraseAfter: eraseAfter });
    expect((await send(userId, 'USER_ERASURE_CANCELLED')).kind).toBe('stored');
    expect(await pendingRow(userId)).toBeUndefined();
    expect(await sweepAt(eraseAfter, 24 * 60 * MINUTE)).toMatchObject({
      erased: 0,
      notPending: 0,
      notDue: 0,
      complete: true,
    });
    expect(await eventTypes(userId)).toEqual([
      'USER_CREATED',
      'USER_ERASURE_REQUESTED',
      'USER_ERASURE_CANCELLED',
    ]);
    expect(await keyShredded(userId)).toBe(false);
  });

  it('leaves a request not due yet, or due less than its margin ago, to its schedule', async () => {
    const { userId, eraseAfter } = await pendingUser();
    for (const lateMs of [-24 * 60 * MINUTE, 0, 4 * MINUTE]) {
      expect(await sweepAt(eraseAfter, lateMs)).toMatchObject({
        erased: 0,
        notDue: 1,
        complete: true,
      });
    }
    expect(await eventTypes(userId)).toEqual(['USER_CREATED', 'USER_ERASURE_REQUESTED']);
    expect(await pendingRow(userId)).toEqual({ UserID: userId, EraseAfter: eraseAfter });
  });

  it('racing late firings and another sweep: each user erased once', async () => {
    const users = await Promise.all(Array.from({ length: 6 }, pendingUser));
    const { eraseAfter } = users[0] as { eraseAfter: string };
    const late = 10 * MINUTE;
    const [sweeps, firings] = await Promise.all([
      Promise.all([sweepAt(eraseAfter, late), sweepAt(eraseAfter, late)]),
      Promise.all(users.map((user) => fireAt(user.userId, user.eraseAfter, late))),
    ]);
    const sweptErased = sweeps.reduce((sum, report) => sum + report.erased, 0);
    const firedErased = firings.filter(({ outcome }) => outcome === 'erased').length;
    expect(sweptErased + firedErased).toBe(users.length);
    expect(sweeps.every((report) => report.failed === 0)).toBe(true);
    for (const { userId } of users) {
      expect(await erasuresOf(userId)).toBe(1);
      expect(await pendingRow(userId)).toBeUndefined();
    }
  });
});
