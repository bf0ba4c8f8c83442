import { randomUUID } from 'node:crypto';
import { BatchWriteCommand, GetCommand, paginateScan } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { decodeEvent, KmsDataKeys, type ReadEvent, type RecordedEvent } from '@users/shared';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { encryptLegacyEvents } from '../scripts/legacy-events';
import { LOCAL_KMS_KEY_ID } from '../scripts/local-stack/local-kms';
import type { StageConfig } from '../scripts/local-stack/tables';
import {
  type CommandRequest,
  executeCommand,
} from '../services/command-service/src/application/execute-command';
import { VersionTakenError } from '../services/command-service/src/application/ports';
import { DynamoEventStore } from '../services/command-service/src/infrastructure/dynamo-event-store';
import { rebuildReadModels } from '../services/query-service/src/application/rebuild-read-models';
import { createProjector } from '../services/query-service/src/handlers/projector/projector';
import { DynamoEventScan } from '../services/query-service/src/infrastructure/dynamo-event-scan';
import { DynamoReadModelStore } from '../services/query-service/src/infrastructure/dynamo-read-model-store';
import { loseResponses } from './faults/dynamodb-faults';
import { schemaOneItems } from './fixtures/schema-1';
import {
  createTestTables,
  deleteTestTables,
  testDataKeys,
  testDocumentClient,
  testKmsClient,
} from './support/integration';
import { countRequests } from './support/request-counts';

const client = testDocumentClient();
const TABLES = [
  'EventsTable',
  'IdempotencyTable',
  'DataKeysTable',
  'ErasureReceiptsTable',
  'PendingErasuresTable',
  'UserDetailTable',
  'UserHistoryTable',
] as const;
let tables: Record<(typeof TABLES)[number], string>;

beforeAll(async () => {
  tables = await createTestTables(TABLES);
});
afterAll(() => deleteTestTables(tables));

const keys = () => testDataKeys(tables.DataKeysTable);
const store = (storeClient = client) =>
  new DynamoEventStore(
    storeClient,
    {
      events: tables.EventsTable,
      idempotency: tables.IdempotencyTable,
      erasureReceipts: tables.ErasureReceiptsTable,
      pendingErasures: tables.PendingErasuresTable,
    },
    keys(),
  );
const readModels = (history = tables.UserHistoryTable, detail = tables.UserDetailTable) =>
  new DynamoReadModelStore(client, { detail, history, listIndex: 'ListIndex' });
const stage = (): StageConfig =>
  ({
    client,
    keys: keys(),
    eventsTable: tables.EventsTable,
    idempotencyTable: tables.IdempotencyTable,
    dataKeysTable: tables.DataKeysTable,
    readModelTables: {
      detail: tables.UserDetailTable,
      history: tables.UserHistoryTable,
      listIndex: 'ListIndex',
    },
  }) as StageConfig;

const run = (
  command: CommandRequest['command'],
  userId: string,
  extra: Partial<CommandRequest> = {},
) =>
  executeCommand(
    { store: store(), now: () => new Date(), newEventId: randomUUID },
    { userId, command, caller: 'tester', correlationId: `c-${randomUUID()}`, ...extra },
  );

const scanAll = async (TableName: string) => {
  const items: Record<string, unknown>[] = [];
  for await (const page of paginateScan({ client }, { TableName, ConsistentRead: true })) {
    items.push(...(page.Items ?? []));
  }
  return items;
};

/** Every stored event of the user, as the stream hands them to the projector. */
const project = async (userId: string, readModelStore = readModels()) => {
  const items = (await scanAll(tables.EventsTable))
    .filter((item) => item.AggregateID === userId)
    .sort((a, b) => (a.Sequence as number) - (b.Sequence as number));
  const Records = items.map(
    (item, index): DynamoDBRecord => ({
      eventID: String(index),
      eventName: 'INSERT',
      dynamodb: {
        SequenceNumber: String(index).padStart(21, '0'),
        NewImage: marshall(item) as never,
      },
    }),
  );
  const response = await createProjector(
    readModelStore,
    keys(),
  )({ Records } as DynamoDBStreamEvent);
  expect(response.batchItemFailures).toEqual([]);
};

/** Every item of every table, as one text: where a name or an email in the clear would show. */
const everything = async () =>
  JSON.stringify(await Promise.all(Object.values(tables).map(scanAll)));

const readableEvents = async (userId: string) =>
  Promise.all(
    (await scanAll(tables.EventsTable))
      .filter((item) => item.AggregateID === userId)
      .sort((a, b) => (a.Sequence as number) - (b.Sequence as number))
      .map(async (item) => (await decodeEvent(item, keys())) as ReadEvent),
  );

describe('erasure by crypto-shredding', () => {
  const userId = `erase-${randomUUID()}`;
  const canaries = ['Canary Ada', 'canary.ada@example.com', 'Canary Renamed'];

  it('leaves no name or email readable in any table, and keeps the rest of the history', async () => {
    const key = randomUUID();
    await run(
      {
        type: 'USER_CREATED',
        payload: { name: canaries[0] as string, email: canaries[1] as string },
      },
      userId,
      {
        idempotencyKey: key,
      },
    );
    await run({ type: 'USER_BALANCE', payload: { delta: 25 } }, userId);
    await run({ type: 'USER_UPDATED', payload: { name: canaries[2] as string } }, userId);
    await project(userId);
    const before = await everything();
    expect(before).toContain(canaries[2]);
    expect(before).toContain(canaries[1] as string);

    expect(await run({ type: 'USER_ERASED', payload: {} }, userId)).toMatchObject({
      kind: 'stored',
    });
    await project(userId);

    const after = await everything();
    for (const canary of canaries) expect(after).not.toContain(canary);
    const { Item: keyItem } = await client.send(
      new GetCommand({ TableName: tables.DataKeysTable, Key: { UserID: userId } }),
    );
    expect(keyItem).toEqual({ UserID: userId, Erased: true });
    const history = await readModels().listHistory(userId, 100);
    expect(history.items.map((entry) => [entry.version, entry.eventType, entry.erased])).toEqual([
      [1, 'USER_CREATED', true],
      [2, 'USER_BALANCE', true],
      [3, 'USER_UPDATED', true],
      [4, 'USER_ERASED', true],
    ]);
    expect(history.items[1]?.payload).toEqual({ delta: 25 });
    expect(history.items[0]?.payload).toEqual({ name: null, email: null });
    expect(await readModels().getDetail(userId)).toMatchObject({
      erased: true,
      deleted: true,
      name: null,
    });
    expect((await readableEvents(userId))[0]?.payload).toEqual({ name: null, email: null });
  });

  it('refuses every later command (410) and stores nothing', async () => {
    for (const command of [
      { type: 'USER_BALANCE', payload: { delta: 1 } },
      { type: 'USER_CREATED', payload: { name: 'Again', email: 'again@example.com' } },
      { type: 'USER_ERASED', payload: {} },
    ] as CommandRequest['command'][]) {
      expect(await run(command, userId)).toMatchObject({ refusal: { code: 'USER_ERASED' } });
    }
    expect(await readableEvents(userId)).toHaveLength(4);
  });

  it('rebuilds exactly the read models the projector made, still without personal data', async () => {
    const rebuilt = await createTestTables(['UserDetailTable', 'UserHistoryTable']);
    try {
      const target = readModels(rebuilt.UserHistoryTable, rebuilt.UserDetailTable);
      await rebuildReadModels(new DynamoEventScan(client, tables.EventsTable), target, keys());
      expect(await target.getDetail(userId)).toEqual(await readModels().getDetail(userId));
      expect(await target.listHistory(userId, 100)).toEqual(
        await readModels().listHistory(userId, 100),
      );
      const copy = JSON.stringify([
        await scanAll(rebuilt.UserDetailTable),
        await scanAll(rebuilt.UserHistoryTable),
      ]);
      for (const canary of canaries) expect(copy).not.toContain(canary);
    } finally {
      await deleteTestTables(rebuilt);
    }
  });
});

describe('the erasure, its key deletion and its receipt', () => {
  const receiptOf = async (userId: string) =>
    (
      await testDocumentClient().send(
        new GetCommand({
          TableName: tables.ErasureReceiptsTable,
          Key: { UserID: userId },
          ConsistentRead: true,
        }),
      )
    ).Item;

  it('happen together or not at all', async () => {
    const userId = `atomic-${randomUUID()}`;
    await run(
      { type: 'USER_CREATED', payload: { name: 'Atom', email: 'atom@example.com' } },
      userId,
    );
    await run({ type: 'USER_BALANCE', payload: { delta: 3 } }, userId);
    const erasure = {
      event: {
        type: 'USER_ERASED',
        payload: {},
        userId,
        version: 2,
        eventId: randomUUID(),
        occurredAt: new Date().toISOString(),
        correlationId: 'atomic',
        schemaVersion: 2,
      } as RecordedEvent,
      stateAfter: { status: 'erased' as const },
    };
    // Version 2 is taken: the transaction fails whole, and the key survives.
    await expect(store().appendEvents({ events: [erasure] })).rejects.toBeInstanceOf(
      VersionTakenError,
    );
    expect(await keys().read(userId)).toBeDefined();
    expect(await receiptOf(userId)).toBeUndefined();
    // Its answer lost, the erasure still happens once.
    const lossy = testDocumentClient();
    loseResponses(lossy, { commands: ['TransactWriteItemsCommand'], when: () => true });
    await store(lossy).appendEvents({
      events: [{ ...erasure, event: { ...erasure.event, version: 3 } }],
    });
    expect(await keys().read(userId)).toBeUndefined();
    expect((await readableEvents(userId)).map((event) => event.type)).toEqual([
      'USER_CREATED',
      'USER_BALANCE',
      'USER_ERASED',
    ]);
    // The receipt starts with the erasure: stored and shredded at the event's time, nothing else.
    expect(await receiptOf(userId)).toEqual({
      UserID: userId,
      ErasedAt: erasure.event.occurredAt,
      KeyShreddedAt: erasure.event.occurredAt,
      Version: 3,
      EventId: erasure.event.eventId,
      DetailHiddenAt: {},
      HistoryRewrittenAt: {},
    });
  });
});

describe("the previous release's events (schema 1)", () => {
  const legacy = schemaOneItems();
  const plaintexts = [
    'Ada Legacy',
    'ada.legacy@example.com',
    'ada.l@example.com',
    'Bob Legacy',
    'bob.legacy@example.com',
  ];

  beforeAll(async () => {
    await client.send(
      new BatchWriteCommand({
        RequestItems: { [tables.EventsTable]: legacy.map((Item) => ({ PutRequest: { Item } })) },
      }),
    );
  });

  it('are read, projected and decided on as they are', async () => {
    await project('legacy-ada');
    expect(await readModels().getDetail('legacy-ada')).toMatchObject({
      name: 'Ada Legacy',
      email: 'ada.l@example.com',
      balance: 40,
      version: 3,
    });
    expect(
      await run({ type: 'USER_BALANCE', payload: { delta: -10 } }, 'legacy-ada'),
    ).toMatchObject({
      kind: 'stored',
      result: { version: 4 },
    });
    expect(await run({ type: 'USER_BALANCE', payload: { delta: 1 } }, 'legacy-bob')).toMatchObject({
      refusal: { code: 'USER_DELETED' },
    });
  });

  it('are sealed in place by npm run encrypt-legacy, once, and read the same after', async () => {
    const before = [
      ...(await readableEvents('legacy-ada')),
      ...(await readableEvents('legacy-bob')),
    ];
    await run({ type: 'USER_ERASED', payload: {} }, 'legacy-bob');
    const report = await encryptLegacyEvents(stage());
    expect(report).toMatchObject({ rewritten: 5, users: 2, shreddedUsers: 1 });
    expect(await encryptLegacyEvents(stage())).toMatchObject({ rewritten: 0 });

    const events = JSON.stringify(await scanAll(tables.EventsTable));
    for (const plaintext of plaintexts) expect(events).not.toContain(plaintext);
    expect(await readableEvents('legacy-ada')).toEqual(before.slice(0, 4));
    expect((await readableEvents('legacy-bob'))[0]?.payload).toEqual({ name: null, email: null });
  });

  it('are erased as completely as new ones once sealed', async () => {
    await project('legacy-bob');
    await run({ type: 'USER_ERASED', payload: {} }, 'legacy-ada');
    await project('legacy-ada');
    const all = await everything();
    for (const plaintext of plaintexts) expect(all).not.toContain(plaintext);
  });
});

describe('data keys in a warm function', () => {
  it('are kept for 30 seconds, and dropped at once for an erased user', async () => {
    let now = Date.now();
    const kms = testKmsClient();
    const sent = countRequests(kms);
    const counted = new KmsDataKeys(
      client,
      kms,
      { table: tables.DataKeysTable, kmsKeyId: LOCAL_KMS_KEY_ID },
      () => now,
    );
    const userId = `cache-${randomUUID()}`;
    await counted.readOrCreate(userId);
    await counted.read(userId);
    now += 29_000;
    await counted.read(userId);
    expect(sent).toEqual({ GenerateDataKeyCommand: 1 });
    now += 2_000;
    await counted.read(userId);
    expect(sent).toEqual({ GenerateDataKeyCommand: 1, DecryptCommand: 1 });
    counted.forget(userId);
    await counted.read(userId);
    expect(sent).toEqual({ GenerateDataKeyCommand: 1, DecryptCommand: 2 });
  });
});
