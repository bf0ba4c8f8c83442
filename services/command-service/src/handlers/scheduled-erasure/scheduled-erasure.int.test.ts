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
import { createEraser } from './scheduled-erasure';

const client = testDocumentClient();
let tables: CommandTables;
let deps: CommandDependencies;
const GRACE_SECONDS = 30 * 24 * 60 * 60;

beforeAll(async () => {
  tables = await createTestTables(COMMAND_TABLES);
  deps = {
    store: testEventStore(tables),
    now: () => new Date(),
    newEventId: randomUUID,
    retryPolicy: { maxAttempts: 50, baseMs: 3, capExponent: 0 },
    erasureGraceSeconds: GRACE_SECONDS,
  };
});
afterAll(() => deleteTestTables(tables));

const send = (userId: string, type: string, payload: object = {}) =>
  sendCommand(deps, userId, type, payload);

const eventTypes = (userId: string) => storedEventTypes(tables.EventsTable, userId);

/** A user with a pending erasure, and the request's due time. */
const pendingUser = async () => {
  const userId = `grace-${randomUUID()}`;
  await send(userId, 'USER_CREATED', { name: 'Grace Canary', email: 'grace@example.com' });
  const requested = await send(userId, 'USER_ERASURE_REQUESTED');
  if (requested.kind !== 'stored') throw new Error(`not requested: ${JSON.stringify(requested)}`);
  const eraseAfter = new Date(
    Date.parse(requested.result.occurredAt as string) + GRACE_SECONDS * 1000,
  );
  return { userId, eraseAfter: eraseAfter.toISOString() };
};

/** What a schedule delivers: its own time is the minute it was set for (at or after due). */
const firing = (userId: string, eraseAfter: string) => ({
  user_id: userId,
  erase_after: eraseAfter,
  scheduled_time: new Date(Math.ceil(Date.parse(eraseAfter) / 60_000) * 60_000).toISOString(),
  execution_id: randomUUID(),
});

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

describe('the scheduled erasure', () => {
  /** The scheduled erasure invoked `lateMs` after the request's due time, by its own clock. */
  const fire = (userId: string, eraseAfter: string, lateMs = 0) =>
    createEraser({ ...deps, now: () => new Date(Date.parse(eraseAfter) + lateMs) })(
      firing(userId, eraseAfter),
    );
  const erase = () => createEraser(deps);

  it('erases a user whose grace period is over, through the store: one event, the key shredded', async () => {
    const { userId, eraseAfter } = await pendingUser();
    expect(await fire(userId, eraseAfter)).toEqual({ outcome: 'erased' });
    expect(await eventTypes(userId)).toEqual([
      'USER_CREATED',
      'USER_ERASURE_REQUESTED',
      'USER_ERASED',
    ]);
    expect(await keyShredded(userId)).toBe(true);
  });

  it('erases once however often and however late it fires, even twice at the same moment', async () => {
    const { userId, eraseAfter } = await pendingUser();
    const outcomes = await Promise.all([
      fire(userId, eraseAfter),
      fire(userId, eraseAfter),
      fire(userId, eraseAfter, 3 * 24 * 60 * 60 * 1000),
    ]);
    expect(outcomes.map((o) => o.outcome).sort()).toEqual([
      'already erased',
      'already erased',
      'erased',
    ]);
    expect(await fire(userId, eraseAfter, 60_000)).toEqual({
      outcome: 'already erased',
    });
    expect((await eventTypes(userId)).filter((type) => type === 'USER_ERASED')).toHaveLength(1);
  });

  it('never erases after a cancellation, nor for an earlier request asked again', async () => {
    const { userId, eraseAfter } = await pendingUser();
    expect((await send(userId, 'USER_ERASURE_CANCELLED')).kind).toBe('stored');
    expect(await fire(userId, eraseAfter)).toEqual({ outcome: 'not pending' });
    expect((await send(userId, 'USER_ERASURE_REQUESTED')).kind).toBe('stored');
    expect(await fire(userId, eraseAfter, 1000)).toEqual({ outcome: 'not pending' });
    expect(await eventTypes(userId)).toEqual([
      'USER_CREATED',
      'USER_ERASURE_REQUESTED',
      'USER_ERASURE_CANCELLED',
      'USER_ERASURE_REQUESTED',
    ]);
    expect(await keyShredded(userId)).toBe(false);
  });

  it('refuses to erase before the request is due, by its own clock: Lambda tries again', async () => {
    const { userId, eraseAfter } = await pendingUser();
    await expect(fire(userId, eraseAfter, -1000)).rejects.toThrow(/ERASURE_PENDING/);
    // Invoked now with the schedule's time in its input (anyone allowed to invoke it could send
    // any time): the time it decides at is its own.
    await expect(erase()(firing(userId, eraseAfter))).rejects.toThrow(/ERASURE_PENDING/);
    expect(await eventTypes(userId)).toEqual(['USER_CREATED', 'USER_ERASURE_REQUESTED']);
    // The local stack's scheduler only, whose clock tests make pass, is taken at its word.
    expect(
      await createEraser(deps, { trustScheduledTime: true })(firing(userId, eraseAfter)),
    ).toEqual({
      outcome: 'erased',
    });
  });

  it('stores nothing for an input that is not a schedule of ours', async () => {
    const { userId, eraseAfter } = await pendingUser();
    for (const input of [
      {},
      null,
      { ...firing(userId, eraseAfter), erase_after: 'soon' },
      { ...firing(userId, eraseAfter), user_id: '' },
      { ...firing(userId, eraseAfter), extra: 1 },
    ]) {
      expect(await erase()(input)).toEqual({ outcome: 'invalid input' });
    }
    expect(await eventTypes(userId)).toEqual(['USER_CREATED', 'USER_ERASURE_REQUESTED']);
  });
});
