import { randomUUID } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { fromEventItem } from '@users/shared';
import {
  createTablesFrom,
  deleteTables,
  testDocumentClient,
} from '../../../../test/support/tables';
import {
  type CommandDependencies,
  type CommandRequest,
  executeCommand,
  IdempotencyKeyReusedError,
  VersionConflictError,
} from '../application/execute-command';
import { InsufficientBalanceError } from '../domain/errors';
import { DynamoEventStore } from './dynamo-event-store';

const client = testDocumentClient();
let tables: { EventsTable: string; IdempotencyTable: string };
let deps: CommandDependencies;

beforeAll(async () => {
  tables = await createTablesFrom('services/command-service/serverless/resources.yml', [
    'EventsTable',
    'IdempotencyTable',
  ]);
  deps = {
    store: new DynamoEventStore(client, {
      events: tables.EventsTable,
      idempotency: tables.IdempotencyTable,
    }),
    now: () => new Date(),
    newEventId: randomUUID,
    pause: (attempt) => new Promise((resolve) => setTimeout(resolve, Math.random() * 3 * attempt)),
    maxAttempts: 50,
  };
});
afterAll(() => deleteTables(tables));

const storedEvents = async (userId: string) => {
  const { Items = [] } = await client.send(
    new QueryCommand({
      TableName: tables.EventsTable,
      KeyConditionExpression: 'AggregateID = :id',
      ExpressionAttributeValues: { ':id': userId },
      ConsistentRead: true,
    }),
  );
  return Items.map(fromEventItem);
};

const request = (
  userId: string,
  command: CommandRequest['command'],
  extra: Partial<CommandRequest> = {},
) => ({
  userId,
  command,
  correlationId: 'test',
  ...extra,
});
const create = (userId: string) =>
  executeCommand(
    deps,
    request(userId, { type: 'USER_CREATED', payload: { name: 'Ada', email: 'ada@example.com' } }),
  );
const balance = (userId: string, delta: number, extra: Partial<CommandRequest> = {}) =>
  request(userId, { type: 'USER_BALANCE', payload: { delta } }, extra);

describe('DynamoEventStore with executeCommand', () => {
  it('numbers events 1, 2, 3 and stores their metadata', async () => {
    const userId = `user-${randomUUID()}`;
    await create(userId);
    const second = await executeCommand(deps, balance(userId, 5, { correlationId: 'corr-1' }));
    expect(second).toMatchObject({ sequence: 2, stored: true });

    const events = await storedEvents(userId);
    expect(events.map((event) => event.version)).toEqual([1, 2]);
    expect(events[1]).toMatchObject({
      type: 'USER_BALANCE',
      payload: { delta: 5 },
      correlationId: 'corr-1',
      schemaVersion: 1,
      eventId: second.eventId,
      occurredAt: second.occurredAt,
    });
  });

  it('keeps 40 concurrent balance commands gapless with no lost update', async () => {
    const userId = `user-${randomUUID()}`;
    await create(userId);
    // Withdrawals smaller than the opening balance: any order of the 40 is allowed by the rules.
    await executeCommand(deps, balance(userId, 100));
    const deltas = Array.from({ length: 40 }, (_, i) => (i % 4 === 3 ? -2 : 3));
    const outcomes = await Promise.allSettled(
      deltas.map((delta) => executeCommand(deps, balance(userId, delta))),
    );

    const events = await storedEvents(userId);
    expect(events.map((event) => event.version)).toEqual(events.map((_, index) => index + 1));
    const accepted = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    expect(events).toHaveLength(2 + accepted.length);
    const acceptedSum = deltas
      .filter((_, i) => outcomes[i]?.status === 'fulfilled')
      .reduce((a, b) => a + b, 100);
    const storedSum = events.reduce(
      (sum, e) => sum + (e.type === 'USER_BALANCE' ? e.payload.delta : 0),
      0,
    );
    expect(storedSum).toBe(acceptedSum);
    expect((await deps.store.readHead(userId)).state).toMatchObject({ balance: acceptedSum });
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected')
        expect(outcome.reason).toBeInstanceOf(VersionConflictError);
    }
  });

  it('stores exactly one event for 8 parallel requests sharing an Idempotency-Key', async () => {
    const userId = `user-${randomUUID()}`;
    await create(userId);
    const idempotencyKey = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 8 }, () => executeCommand(deps, balance(userId, 7, { idempotencyKey }))),
    );
    expect(new Set(results.map((result) => result.sequence))).toEqual(new Set([2]));
    expect(await storedEvents(userId)).toHaveLength(2);
  });

  it('refuses the same Idempotency-Key with a different body and stores nothing', async () => {
    const userId = `user-${randomUUID()}`;
    await create(userId);
    const idempotencyKey = randomUUID();
    await executeCommand(deps, balance(userId, 7, { idempotencyKey }));
    await expect(
      executeCommand(deps, balance(userId, 8, { idempotencyKey })),
    ).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
    expect(await storedEvents(userId)).toHaveLength(2);
  });

  it('replays the first answer to a retry that would now be refused or change nothing', async () => {
    const userId = `user-${randomUUID()}`;
    const createKey = randomUUID();
    const createCommand = request(
      userId,
      { type: 'USER_CREATED', payload: { name: 'Ada', email: 'ada@example.com' } },
      { idempotencyKey: createKey },
    );
    const created = await executeCommand(deps, createCommand);
    expect(await executeCommand(deps, createCommand)).toEqual(created);

    const pinned = balance(userId, 4, { expectedVersion: 1, idempotencyKey: randomUUID() });
    const deposited = await executeCommand(deps, pinned);
    expect(await executeCommand(deps, pinned)).toEqual(deposited);

    const rename = request(
      userId,
      { type: 'USER_UPDATED', payload: { name: 'Ada L.' } },
      { idempotencyKey: randomUUID() },
    );
    const renamed = await executeCommand(deps, rename);
    expect(renamed).toMatchObject({ stored: true, sequence: 3 });
    expect(await executeCommand(deps, rename)).toEqual(renamed);
    expect(await storedEvents(userId)).toHaveLength(3);
  });

  it('lets an expired Idempotency-Key be used again', async () => {
    const userId = `user-${randomUUID()}`;
    await create(userId);
    const idempotencyKey = randomUUID();
    const dayAndAMinuteLater = () => new Date(Date.now() + (24 * 60 + 1) * 60 * 1000);
    await executeCommand(deps, balance(userId, 7, { idempotencyKey }));
    const later = await executeCommand(
      { ...deps, now: dayAndAMinuteLater },
      balance(userId, 8, { idempotencyKey }),
    );
    expect(later.sequence).toBe(3);
  });

  it('stores nothing when expected_version is not the current version', async () => {
    const userId = `user-${randomUUID()}`;
    await create(userId);
    await expect(
      executeCommand(deps, balance(userId, 1, { expectedVersion: 0 })),
    ).rejects.toMatchObject({
      statusCode: 409,
      details: { current_version: 1 },
    });
    expect(await storedEvents(userId)).toHaveLength(1);
    expect(await executeCommand(deps, balance(userId, 1, { expectedVersion: 1 }))).toMatchObject({
      sequence: 2,
    });
  });

  it('stores nothing when a rule refuses the command', async () => {
    const userId = `user-${randomUUID()}`;
    await create(userId);
    await expect(executeCommand(deps, balance(userId, -1))).rejects.toBeInstanceOf(
      InsufficientBalanceError,
    );
    expect(await storedEvents(userId)).toHaveLength(1);
  });

  it('rebuilds the state from the history when the head snapshot has an older shape', async () => {
    const userId = `user-${randomUUID()}`;
    await create(userId);
    await executeCommand(deps, balance(userId, 9));
    const { Items = [] } = await client.send(
      new QueryCommand({
        TableName: tables.EventsTable,
        KeyConditionExpression: 'AggregateID = :id',
        ExpressionAttributeValues: { ':id': userId },
      }),
    );
    const { PutCommand } = await import('@aws-sdk/lib-dynamodb');
    await client.send(
      new PutCommand({
        TableName: tables.EventsTable,
        Item: { ...Items[1], State: { status: 'absent' }, StateVersion: 0 },
      }),
    );
    expect(await deps.store.readHead(userId)).toEqual({
      version: 2,
      state: { status: 'active', name: 'Ada', email: 'ada@example.com', balance: 9 },
    });
  });
});
