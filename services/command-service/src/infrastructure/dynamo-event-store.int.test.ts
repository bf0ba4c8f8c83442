import { randomUUID } from 'node:crypto';
import {
  InternalServerError,
  ProvisionedThroughputExceededException,
} from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  decodeEvent,
  decodeSnapshot,
  KmsDataKeys,
  NewerSchemaVersionError,
  type RecordedEvent,
  SCHEMA_VERSION,
  schemaVersionOf,
} from '@users/shared';
import { errorResponseBody } from '@users/shared/http';
import { LOCAL_KMS_KEY_ID } from '../../../../scripts/local-stack/local-kms';
import {
  cancelTransactionsForThrottling,
  conflictWithTransactions,
  firstTimes,
  loseResponses,
  loseResponsesThenConflict,
  loseResponsesThenFail,
  throttleTable,
} from '../../../../test/faults/dynamodb-faults';
import { emfWrittenBy } from '../../../../test/support/emf';
import {
  createTestTables,
  deleteTestTables,
  testDataKeys,
  testDocumentClient,
  testKmsClient,
} from '../../../../test/support/integration';
import { countRequests } from '../../../../test/support/request-counts';
import {
  type CommandDependencies,
  type CommandRequest,
  executeCommand,
} from '../application/execute-command';
import { type CommandOutcome, VersionTakenError } from '../application/ports';
import { commandObserver } from '../handlers/command/metrics';
import { DynamoEventStore, SNAPSHOT_VERSION } from './dynamo-event-store';

const client = testDocumentClient();
let tables: {
  EventsTable: string;
  IdempotencyTable: string;
  DataKeysTable: string;
  ErasureReceiptsTable: string;
  PendingErasuresTable: string;
};
let deps: CommandDependencies;

const dependenciesOver = (storeClient = client): CommandDependencies => ({
  store: new DynamoEventStore(
    storeClient,
    {
      events: tables.EventsTable,
      idempotency: tables.IdempotencyTable,
      erasureReceipts: tables.ErasureReceiptsTable,
      pendingErasures: tables.PendingErasuresTable,
    },
    testDataKeys(tables.DataKeysTable),
  ),
  now: () => new Date(),
  newEventId: randomUUID,
  retryPolicy: { maxAttempts: 50, baseMs: 3, capExponent: 0 },
});

beforeAll(async () => {
  tables = await createTestTables([
    'EventsTable',
    'IdempotencyTable',
    'DataKeysTable',
    'ErasureReceiptsTable',
    'PendingErasuresTable',
  ]);
  deps = dependenciesOver();
});
afterAll(() => deleteTestTables(tables));

/** The user's event items as stored, oldest first. */
const storedItems = async (userId: string) => {
  const { Items = [] } = await client.send(
    new QueryCommand({
      TableName: tables.EventsTable,
      KeyConditionExpression: 'AggregateID = :id',
      ExpressionAttributeValues: { ':id': userId },
      ConsistentRead: true,
    }),
  );
  return Items;
};

const storedEvents = async (userId: string) => {
  const keys = testDataKeys(tables.DataKeysTable);
  const items = await storedItems(userId);
  return Promise.all(items.map(async (item) => (await decodeEvent(item, keys)) as RecordedEvent));
};

const request = (
  userId: string,
  command: CommandRequest['command'],
  extra: Partial<CommandRequest> = {},
): CommandRequest => ({ userId, command, caller: 'tester', correlationId: 'test', ...extra });
const creation = (userId: string, extra: Partial<CommandRequest> = {}) =>
  request(
    userId,
    { type: 'USER_CREATED', payload: { name: 'Ada', email: 'ada@example.com' } },
    extra,
  );
const create = (userId: string) => executeCommand(deps, creation(userId));
const balance = (userId: string, delta: number, extra: Partial<CommandRequest> = {}) =>
  request(userId, { type: 'USER_BALANCE', payload: { delta } }, extra);
const newUser = async () => {
  const userId = `user-${randomUUID()}`;
  await create(userId);
  return userId;
};

const versionOf = (outcome: CommandOutcome) =>
  outcome.kind === 'refused' ? undefined : outcome.result.version;

describe('executeCommand on DynamoDB', () => {
  it('numbers events 1, 2, 3 and stores their metadata', async () => {
    const userId = await newUser();
    const second = await executeCommand(deps, balance(userId, 5, { correlationId: 'corr-1' }));
    expect(second).toMatchObject({ kind: 'stored', result: { version: 2 } });

    const events = await storedEvents(userId);
    expect(events.map((event) => event.version)).toEqual([1, 2]);
    expect(events[1]).toMatchObject({
      type: 'USER_BALANCE',
      payload: { delta: 5 },
      correlationId: 'corr-1',
      schemaVersion: SCHEMA_VERSION,
      ...(second.kind === 'stored' && {
        eventId: second.result.eventId,
        occurredAt: second.result.occurredAt,
      }),
    });
  });

  it('keeps 40 concurrent balance commands gapless with no lost update', async () => {
    const userId = await newUser();
    // Withdrawals smaller than the opening balance: any order of the 40 is allowed by the rules.
    await executeCommand(deps, balance(userId, 100));
    const deltas = Array.from({ length: 40 }, (_, i) => (i % 4 === 3 ? -2 : 3));
    const outcomes = await Promise.all(
      deltas.map((delta) => executeCommand(deps, balance(userId, delta))),
    );

    const events = await storedEvents(userId);
    expect(events.map((event) => event.version)).toEqual(events.map((_, index) => index + 1));
    const accepted = outcomes.filter((outcome) => outcome.kind === 'stored');
    expect(events).toHaveLength(2 + accepted.length);
    const acceptedSum = deltas
      .filter((_, i) => outcomes[i]?.kind === 'stored')
      .reduce((a, b) => a + b, 100);
    const storedSum = events.reduce(
      (sum, e) => sum + (e.type === 'USER_BALANCE' ? e.payload.delta : 0),
      0,
    );
    expect(storedSum).toBe(acceptedSum);
    expect((await deps.store.readHead(userId, { personalData: true })).state).toMatchObject({
      balance: acceptedSum,
    });
    for (const outcome of outcomes) {
      if (outcome.kind === 'refused') expect(outcome.refusal.code).toBe('VERSION_CONFLICT');
    }
  });

  it('stores nothing when expected_version is not the current version', async () => {
    const userId = await newUser();
    expect(await executeCommand(deps, balance(userId, 1, { expectedVersion: 0 }))).toEqual({
      kind: 'refused',
      refusal: { code: 'VERSION_CONFLICT', details: { current_version: 1 } },
    });
    expect(await storedEvents(userId)).toHaveLength(1);
    const pinned = await executeCommand(deps, balance(userId, 1, { expectedVersion: 1 }));
    expect(versionOf(pinned)).toBe(2);
  });

  it('stores nothing when a rule refuses the command', async () => {
    const userId = await newUser();
    expect(await executeCommand(deps, balance(userId, -1))).toMatchObject({
      kind: 'refused',
      refusal: { code: 'INSUFFICIENT_BALANCE', details: { balance: 0, delta: -1 } },
    });
    expect(await storedEvents(userId)).toHaveLength(1);
  });

  it('refuses to decide on a user whose newest event a newer release wrote (503)', async () => {
    const userId = await newUser();
    const Items = await storedItems(userId);
    await client.send(
      new PutCommand({
        TableName: tables.EventsTable,
        Item: { ...Items[0], Sequence: 2, SchemaVersion: 99, State: { shape: 'unknown' } },
      }),
    );
    await expect(executeCommand(deps, balance(userId, 1))).rejects.toBeInstanceOf(
      NewerSchemaVersionError,
    );
    expect(await storedEvents(userId).catch((error) => error)).toBeInstanceOf(
      NewerSchemaVersionError,
    );
  });

  it('rebuilds the state from the history when the head snapshot has an older shape', async () => {
    const userId = await newUser();
    await executeCommand(deps, balance(userId, 9));
    const Items = await storedItems(userId);
    await client.send(
      new PutCommand({
        TableName: tables.EventsTable,
        Item: { ...Items[1], State: { status: 'absent' }, StateVersion: 0 },
      }),
    );
    expect(await deps.store.readHead(userId, { personalData: true })).toEqual({
      version: 2,
      state: { status: 'active', name: 'Ada', email: 'ada@example.com', balance: 9 },
    });
  });
});

describe('a lost DynamoDB response (the SDK retries a write that succeeded)', () => {
  const writes = ['PutItemCommand', 'TransactWriteItemsCommand'];

  it('stores a command sent without a key once', async () => {
    const userId = await newUser();
    const lossy = testDocumentClient();
    loseResponses(lossy, { commands: writes, when: () => true });
    const outcomes = [];
    for (let i = 0; i < 5; i++) {
      outcomes.push(await executeCommand(dependenciesOver(lossy), balance(userId, 1)));
    }
    expect(outcomes.map(versionOf)).toEqual([2, 3, 4, 5, 6]);
    expect(await storedEvents(userId)).toHaveLength(6);
  });

  it('stores a command sent with a key once, and replays its answer', async () => {
    const userId = await newUser();
    const lossy = testDocumentClient();
    loseResponses(lossy, { commands: writes, when: () => true });
    const keyed = balance(userId, 1, { idempotencyKey: randomUUID() });
    const first = await executeCommand(dependenciesOver(lossy), keyed);
    expect(first).toMatchObject({ kind: 'stored', result: { version: 2 } });
    expect(await executeCommand(dependenciesOver(lossy), keyed)).toEqual({
      ...first,
      replayed: true,
    });
    expect(await storedEvents(userId)).toHaveLength(2);
  });

  it('records a refusal once and replays it', async () => {
    const lossy = testDocumentClient();
    loseResponses(lossy, { commands: writes, when: () => true });
    const keyed = balance(`user-${randomUUID()}`, 1, { idempotencyKey: randomUUID() });
    let replays = 0;
    const observer = { lostRace: () => {}, replayed: () => replays++ };
    const first = await executeCommand({ ...dependenciesOver(lossy), observer }, keyed);
    expect(first).toMatchObject({ kind: 'refused', refusal: { code: 'USER_NOT_FOUND' } });
    expect(await executeCommand({ ...dependenciesOver(lossy), observer }, keyed)).toEqual({
      ...first,
      replayed: true,
    });
    // What the IdempotentReplays metric counts: the retry, not the first answer.
    expect(replays).toBe(1);
  });
});

describe('a write refused because a transaction on the same item is in flight', () => {
  it('is a lost race: decided again and stored once', async () => {
    const userId = await newUser();
    const contended = testDocumentClient();
    conflictWithTransactions(contended, { commands: ['PutItemCommand'], when: firstTimes(3) });
    // The command function's own observer, its metrics read as CloudWatch would (EMF).
    const { result: outcome, metrics } = await emfWrittenBy(
      () =>
        executeCommand(
          { ...dependenciesOver(contended), observer: commandObserver },
          balance(userId, 4),
        ),
      {},
    );
    expect(outcome).toMatchObject({ kind: 'stored', result: { version: 2 } });
    expect(await storedEvents(userId)).toHaveLength(2);
    // LostRaces (docs/operations.md): each re-decided race, and no replay.
    expect(metrics.get('LostRaces')).toEqual([1, 1, 1]);
    expect(metrics.has('IdempotentReplays')).toBe(false);
  });

  it('is recognised as our own write when our first attempt got through with its answer lost', async () => {
    const userId = await newUser();
    const unlucky = testDocumentClient();
    loseResponsesThenConflict(unlucky, {
      commands: ['PutItemCommand', 'TransactWriteItemsCommand'],
      when: () => true,
    });
    for (const command of [
      balance(userId, 1),
      balance(userId, 1, { idempotencyKey: randomUUID() }),
    ]) {
      expect(await executeCommand(dependenciesOver(unlucky), command)).toMatchObject({
        kind: 'stored',
      });
    }
    expect((await storedEvents(userId)).map((event) => event.version)).toEqual([1, 2, 3]);
  });

  it("holding the key of a refusal's twin is answered, never a 5xx", async () => {
    const contended = testDocumentClient();
    conflictWithTransactions(contended, { commands: ['PutItemCommand'], when: firstTimes(1) });
    const keyed = balance(`user-${randomUUID()}`, 1, { idempotencyKey: randomUUID() });
    expect(await executeCommand(dependenciesOver(contended), keyed)).toMatchObject({
      refusal: { code: 'USER_NOT_FOUND' },
    });
  });
});

describe('requests per command, as a warm function that sees many users sends them', () => {
  /** A store whose function has never seen the user: an empty data-key cache. */
  const counted = () => {
    const dynamodb = testDocumentClient();
    const kms = testKmsClient();
    const sent = { dynamodb: countRequests(dynamodb), kms: countRequests(kms) };
    const store = new DynamoEventStore(
      dynamodb,
      {
        events: tables.EventsTable,
        idempotency: tables.IdempotencyTable,
        erasureReceipts: tables.ErasureReceiptsTable,
        pendingErasures: tables.PendingErasuresTable,
      },
      new KmsDataKeys(dynamodb, kms, { table: tables.DataKeysTable, kmsKeyId: LOCAL_KMS_KEY_ID }),
    );
    return { deps: { ...deps, store }, sent };
  };
  const sentFor = async (command: CommandRequest) => {
    const { deps: fresh, sent } = counted();
    expect(await executeCommand(fresh, command)).toMatchObject({ kind: 'stored' });
    return sent;
  };

  it('USER_BALANCE and USER_DELETED: a read and a write, no data key', async () => {
    const userId = await newUser();
    expect(await sentFor(balance(userId, 5))).toEqual({
      dynamodb: { QueryCommand: 1, PutItemCommand: 1 },
      kms: {},
    });
    expect(await sentFor(balance(userId, 5, { idempotencyKey: randomUUID() }))).toEqual({
      dynamodb: { QueryCommand: 1, TransactWriteItemsCommand: 1 },
      kms: {},
    });
    expect(await sentFor(request(userId, { type: 'USER_DELETED', payload: {} }))).toEqual({
      dynamodb: { QueryCommand: 1, PutItemCommand: 1 },
      kms: {},
    });
  });

  it('USER_CREATED: one GenerateDataKey, the key written with the event in one transaction', async () => {
    expect(await sentFor(creation(`user-${randomUUID()}`))).toEqual({
      dynamodb: { QueryCommand: 1, TransactWriteItemsCommand: 1 },
      kms: { GenerateDataKeyCommand: 1 },
    });
  });

  it('USER_UPDATED opens the fields the balance commands carried forward, as they were', async () => {
    const userId = await newUser();
    for (const delta of [1, 2, 3]) await executeCommand(deps, balance(userId, delta));
    const rename = request(userId, { type: 'USER_UPDATED', payload: { name: 'Ada L.' } });
    expect(await sentFor(rename)).toEqual({
      dynamodb: { QueryCommand: 1, GetItemCommand: 1, PutItemCommand: 1 },
      kms: { DecryptCommand: 1 },
    });
    // The same name again is no change: the carried fields opened to what they were.
    expect(await executeCommand(deps, rename)).toMatchObject({ kind: 'unchanged' });
    expect(
      await executeCommand(
        deps,
        request(userId, { type: 'USER_UPDATED', payload: { email: 'ada@example.com' } }),
      ),
    ).toMatchObject({ kind: 'unchanged' });
    expect((await storedEvents(userId)).map((event) => event.type)).toEqual([
      'USER_CREATED',
      'USER_BALANCE',
      'USER_BALANCE',
      'USER_BALANCE',
      'USER_UPDATED',
    ]);
  });
});

describe('a rollback to the release before carried snapshots (or that release during a deploy)', () => {
  it("finds heads it cannot read as its own and replays those users' histories", async () => {
    const userId = await newUser();
    await executeCommand(deps, balance(userId, 5));
    const [, head] = await storedItems(userId);
    expect(head?.StateSealedAt).toEqual({ name: 1, email: 1 });
    // That release read a snapshot of version 1 as sealed by its own item: these fields do not
    // open so, and it would answer every command on this user with a 500.
    const key = await testDataKeys(tables.DataKeysTable).read(userId);
    expect(() => decodeSnapshot({ ...head, StateSealedAt: undefined }, key)).toThrow(
      /does not open/,
    );
    // It only reads version 1; it replays the history of any other.
    expect(head?.StateVersion).toBe(SNAPSHOT_VERSION);
    expect(SNAPSHOT_VERSION).not.toBe(1);
  });

  it("is undone by this release, which reads that release's heads as they are", async () => {
    const userId = await newUser();
    const [created] = await storedItems(userId);
    // A head as the release before wrote it (snapshot version 1), its snapshot telling a balance
    // its history does not: only a snapshot read, never a replay, finds 7.
    await client.send(
      new PutCommand({
        TableName: tables.EventsTable,
        Item: { ...created, StateVersion: 1, State: { ...created?.State, balance: 7 } },
      }),
    );
    await executeCommand(deps, balance(userId, 1));
    const [, next] = await storedItems(userId);
    expect(next?.State.balance).toBe(8);
  });
});

/** The user's data-key row, as the key table holds it (or undefined). */
const dataKeyRow = async (userId: string) =>
  (
    await client.send(
      new GetCommand({
        TableName: tables.DataKeysTable,
        Key: { UserID: userId },
        ConsistentRead: true,
      }),
    )
  ).Item;

describe("a user's data key", () => {
  it('is made again after its transaction met another one in flight (a lost race, never a 5xx)', async () => {
    const contended = testDocumentClient();
    conflictWithTransactions(contended, {
      commands: ['TransactWriteItemsCommand'],
      when: firstTimes(2),
    });
    const userId = `user-${randomUUID()}`;
    const outcome = await executeCommand(dependenciesOver(contended), creation(userId));
    expect(outcome).toMatchObject({ kind: 'stored', result: { version: 1 } });
    expect(await storedEvents(userId)).toMatchObject([{ payload: { name: 'Ada' } }]);
  });

  it('is stored only with the first event: a creation refused for a reused key stores none', async () => {
    const idempotencyKey = randomUUID();
    const first = await newUser();
    await executeCommand(deps, balance(first, 1, { idempotencyKey }));
    const userId = `user-${randomUUID()}`;
    expect(await executeCommand(deps, creation(userId, { idempotencyKey }))).toMatchObject({
      refusal: { code: 'IDEMPOTENCY_KEY_REUSED' },
    });
    expect(await storedItems(userId)).toEqual([]);
    expect(await dataKeyRow(userId)).toBeUndefined();
  });

  it('made by an older release before the first event is used, not replaced', async () => {
    const userId = `user-${randomUUID()}`;
    const keys = testDataKeys(tables.DataKeysTable);
    const older = await keys.readOrCreate(userId);
    const row = await dataKeyRow(userId);
    expect(await executeCommand(deps, creation(userId))).toMatchObject({ kind: 'stored' });
    expect(await dataKeyRow(userId)).toEqual(row);
    const [item] = await storedItems(userId);
    const event = await decodeEvent(item as Record<string, unknown>, { read: async () => older });
    expect(event).toMatchObject({ payload: { name: 'Ada' } });
  });
});

describe('a write that landed although the SDK gave up on it (its answer lost, then throttling or 500s)', () => {
  const writes = ['PutItemCommand', 'TransactWriteItemsCommand'];
  const unlucky = (then: () => Error) => {
    const lossy = testDocumentClient();
    loseResponsesThenFail(lossy, { commands: writes, when: () => true }, then);
    return dependenciesOver(lossy);
  };
  const throttling = () =>
    new ProvisionedThroughputExceededException({
      message: 'slow down (on purpose)',
      $metadata: {},
    });
  const serverError = () =>
    new InternalServerError({
      message: 'internal (on purpose)',
      $metadata: { httpStatusCode: 500 },
    });

  it.each([
    ['throttling', throttling],
    ['500s', serverError],
  ])('is answered as stored after %s, never "try again", and stored once', async (_, then) => {
    const userId = await newUser();
    expect(await executeCommand(unlucky(then), balance(userId, 7))).toMatchObject({
      kind: 'stored',
      result: { version: 2 },
    });
    expect((await storedEvents(userId)).map((event) => event.version)).toEqual([1, 2]);
  });

  it('holds for a keyless erasure (a transaction): stored, not 503 and then 410', async () => {
    const userId = await newUser();
    const erasure = request(userId, { type: 'USER_ERASED', payload: {} });
    expect(await executeCommand(unlucky(throttling), erasure)).toMatchObject({
      kind: 'stored',
      result: { version: 2 },
    });
    expect((await storedEvents(userId)).map((event) => event.type)).toEqual([
      'USER_CREATED',
      'USER_ERASED',
    ]);
  });

  it('holds for a first event and its new key: both stored, once', async () => {
    const userId = `user-${randomUUID()}`;
    expect(await executeCommand(unlucky(throttling), creation(userId))).toMatchObject({
      kind: 'stored',
      result: { version: 1 },
    });
    expect(await storedEvents(userId)).toMatchObject([{ payload: { name: 'Ada' } }]);
  });

  it('whose outcome no read can learn before the answer is due is answered 500, never "try again"', async () => {
    const userId = await newUser();
    const lossy = testDocumentClient();
    loseResponsesThenFail(lossy, { commands: ['PutItemCommand'], when: () => true }, throttling);
    throttleTable(lossy, tables.EventsTable, ['GetItemCommand']);
    const failure = await executeCommand(
      dependenciesOver(lossy),
      balance(userId, 7, { deadline: Date.now() + 7000 }),
    ).catch((error: unknown) => error);
    expect(errorResponseBody(failure)).toMatchObject({
      statusCode: 500,
      body: { code: 'OUTCOME_UNKNOWN' },
    });
    expect(errorResponseBody(failure)?.headers).toBeUndefined();
    // It was stored: "try again" would have stored it twice.
    expect(await storedEvents(userId)).toHaveLength(2);
  });

  it('is not attempted with too little of the function left to write and confirm it: 503, nothing stored', async () => {
    const userId = await newUser();
    const failure = await executeCommand(
      deps,
      balance(userId, 7, { deadline: Date.now() + 2000 }),
    ).catch((error: unknown) => error);
    expect(errorResponseBody(failure)).toMatchObject({
      statusCode: 503,
      body: { code: 'SERVICE_BUSY' },
      headers: { 'retry-after': expect.any(String) },
    });
    expect(await storedEvents(userId)).toHaveLength(1);
  });

  it('that did not land is answered 503 with Retry-After, and nothing is stored', async () => {
    const userId = await newUser();
    const throttled = testDocumentClient();
    throttleTable(throttled, tables.EventsTable, ['PutItemCommand']);
    const failure = await executeCommand(dependenciesOver(throttled), balance(userId, 1)).catch(
      (error: unknown) => error,
    );
    expect(errorResponseBody(failure)).toMatchObject({
      statusCode: 503,
      body: { code: 'SERVICE_BUSY' },
    });
    expect(await storedEvents(userId)).toHaveLength(1);
  });
});

describe('a transaction DynamoDB cancels for throttling', () => {
  it('stores nothing and is answered 503 with Retry-After, never 500', async () => {
    const userId = await newUser();
    const throttled = testDocumentClient();
    cancelTransactionsForThrottling(throttled, {
      commands: ['TransactWriteItemsCommand'],
      when: () => true,
    });
    const failure = await executeCommand(
      dependenciesOver(throttled),
      balance(userId, 1, { idempotencyKey: randomUUID() }),
    ).catch((error: unknown) => error);
    expect(errorResponseBody(failure)).toMatchObject({
      statusCode: 503,
      body: { code: 'SERVICE_BUSY' },
      headers: { 'retry-after': expect.any(String) },
    });
    expect(await storedEvents(userId)).toHaveLength(1);
  });
});

describe("one caller's Idempotency-Key and another's", () => {
  it("never meet: Bob's refused command does not block Alice's first one with the same key", async () => {
    const key = `order-${randomUUID()}`;
    const bob = `user-${randomUUID()}`;
    const alice = await newUser();
    expect(
      await executeCommand(deps, balance(bob, 5, { caller: bob, idempotencyKey: key })),
    ).toMatchObject({ refusal: { code: 'USER_NOT_FOUND' } });
    expect(
      await executeCommand(deps, balance(alice, 5, { caller: alice, idempotencyKey: key })),
    ).toMatchObject({ kind: 'stored', result: { version: 2 } });
    // Each still gets their own answer back.
    expect(
      await executeCommand(deps, balance(bob, 5, { caller: bob, idempotencyKey: key })),
    ).toMatchObject({ refusal: { code: 'USER_NOT_FOUND' } });
    expect(
      await executeCommand(deps, balance(alice, 5, { caller: alice, idempotencyKey: key })),
    ).toMatchObject({ kind: 'stored', result: { version: 2 } });
    expect(await storedEvents(alice)).toHaveLength(2);
  });

  it("never contend: a keyed command's transaction holds its own items only, none named by the key's text", async () => {
    const userId = await newUser();
    const key = `order-${randomUUID()}`;
    const watched = testDocumentClient();
    const sent: string[] = [];
    watched.middlewareStack.add(
      (next) => (args) => {
        const { TransactItems = [] } = args.input as {
          TransactItems?: Record<
            string,
            { Key?: Record<string, unknown>; Item?: Record<string, unknown> }
          >[];
        };
        for (const item of TransactItems) {
          const [write] = Object.values(item);
          sent.push(JSON.stringify(write?.Key ?? write?.Item));
        }
        return next(args);
      },
      { step: 'initialize', name: 'watchTransactions' },
    );
    expect(
      await executeCommand(dependenciesOver(watched), balance(userId, 3, { idempotencyKey: key })),
    ).toMatchObject({ kind: 'stored' });
    // AWS cancels transactions that overlap on an item: an item named by the raw text would make
    // unrelated callers' commands (who chose the same text) cancel each other.
    expect(sent).toHaveLength(2);
    expect(sent.join()).not.toContain(key);
  });
});

describe('a retry of an answered request', () => {
  it('gets its answer although deciding again would fail now (an event of a newer release)', async () => {
    const userId = await newUser();
    const keyedBalance = balance(userId, 2, { idempotencyKey: randomUUID() });
    const first = await executeCommand(deps, keyedBalance);
    const [, head] = await storedItems(userId);
    await client.send(
      new PutCommand({
        TableName: tables.EventsTable,
        Item: { ...head, Sequence: 3, SchemaVersion: 99, State: { shape: 'unknown' } },
      }),
    );
    expect(await executeCommand(deps, keyedBalance)).toEqual({ ...first, replayed: true });
    await expect(
      executeCommand(deps, { ...keyedBalance, idempotencyKey: randomUUID() }),
    ).rejects.toBeInstanceOf(NewerSchemaVersionError);
  });
});

describe('Idempotency-Key', () => {
  const keyed = (command: CommandRequest) => ({ ...command, idempotencyKey: randomUUID() });

  it('stores exactly one event for 8 parallel requests sharing a key', async () => {
    const userId = await newUser();
    const command = keyed(balance(userId, 7));
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, () => executeCommand(deps, command)),
    );
    expect(new Set(outcomes.map(versionOf))).toEqual(new Set([2]));
    expect(await storedEvents(userId)).toHaveLength(2);
  });

  it('replays the first answer to its own twins, also with expected_version', async () => {
    const userId = await newUser();
    const command = keyed(balance(userId, 7, { expectedVersion: 1 }));
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, () => executeCommand(deps, command)),
    );
    // One decided and stored; each twin got that answer, marked replayed.
    const decided = outcomes.filter((outcome) => !outcome.replayed);
    expect(decided).toHaveLength(1);
    for (const outcome of outcomes)
      expect({ ...outcome, replayed: true }).toEqual({ ...decided[0], replayed: true });
    expect(decided[0]).toMatchObject({ kind: 'stored', result: { version: 2 } });
    expect(await storedEvents(userId)).toHaveLength(2);
  });

  it('refuses the same key with a different body and stores nothing', async () => {
    const userId = await newUser();
    const command = keyed(balance(userId, 7));
    await executeCommand(deps, command);
    expect(await executeCommand(deps, { ...command, command: balance(userId, 8).command })).toEqual(
      { kind: 'refused', refusal: { code: 'IDEMPOTENCY_KEY_REUSED', details: {} } },
    );
    expect(await storedEvents(userId)).toHaveLength(2);
  });

  it('takes the same JSON value with its keys in another order as the same request', async () => {
    const userId = `user-${randomUUID()}`;
    const command = keyed(creation(userId));
    const first = await executeCommand(deps, command);
    const reordered = {
      ...command,
      command: { type: 'USER_CREATED', payload: { email: 'ada@example.com', name: 'Ada' } },
    } as CommandRequest;
    expect(await executeCommand(deps, reordered)).toEqual({ ...first, replayed: true });
  });

  describe('records the first decided answer and replays it although the user changed since', () => {
    it('a refusal (404), and nothing is stored by the retry', async () => {
      const userId = `user-${randomUUID()}`;
      const command = keyed(balance(userId, 5));
      const first = await executeCommand(deps, command);
      expect(first).toMatchObject({ refusal: { code: 'USER_NOT_FOUND' } });
      await create(userId);
      expect(await executeCommand(deps, command)).toEqual({ ...first, replayed: true });
      expect(await storedEvents(userId)).toHaveLength(1);
    });

    it('a refusal by the rules (422)', async () => {
      const userId = await newUser();
      const command = keyed(balance(userId, -5));
      const first = await executeCommand(deps, command);
      expect(first).toMatchObject({ refusal: { code: 'INSUFFICIENT_BALANCE' } });
      await executeCommand(deps, balance(userId, 10));
      expect(await executeCommand(deps, command)).toEqual({ ...first, replayed: true });
      expect(await storedEvents(userId)).toHaveLength(2);
    });

    it('a version conflict (409)', async () => {
      const userId = await newUser();
      const command = keyed(balance(userId, 5, { expectedVersion: 2 }));
      const first = await executeCommand(deps, command);
      expect(first).toMatchObject({ refusal: { code: 'VERSION_CONFLICT' } });
      await executeCommand(deps, balance(userId, 1));
      expect(await executeCommand(deps, command)).toEqual({ ...first, replayed: true });
      expect(await storedEvents(userId)).toHaveLength(2);
    });

    it('a creation of an existing user (409) and of a deleted one (410)', async () => {
      const userId = await newUser();
      const recreate = keyed(creation(userId));
      expect(await executeCommand(deps, recreate)).toMatchObject({
        refusal: { code: 'USER_ALREADY_EXISTS' },
      });
      const deletion = request(userId, { type: 'USER_DELETED', payload: {} });
      await executeCommand(deps, deletion);
      expect(await executeCommand(deps, recreate)).toMatchObject({
        refusal: { code: 'USER_ALREADY_EXISTS' },
      });
      const deleteAgain = keyed(deletion);
      expect(await executeCommand(deps, deleteAgain)).toMatchObject({
        refusal: { code: 'USER_DELETED' },
      });
    });

    it('no change (200), and the retry stores nothing', async () => {
      const userId = await newUser();
      const rename = keyed(request(userId, { type: 'USER_UPDATED', payload: { name: 'Ada' } }));
      const first = await executeCommand(deps, rename);
      expect(first).toMatchObject({ kind: 'unchanged', result: { version: 1 } });
      await executeCommand(deps, request(userId, { type: 'USER_UPDATED', payload: { name: 'B' } }));
      expect(await executeCommand(deps, rename)).toEqual({ ...first, replayed: true });
      expect(await storedEvents(userId)).toHaveLength(2);
    });

    it('a stored event, whatever happened since', async () => {
      const userId = await newUser();
      const command = keyed(balance(userId, 4, { expectedVersion: 1 }));
      const first = await executeCommand(deps, command);
      await executeCommand(deps, request(userId, { type: 'USER_DELETED', payload: {} }));
      expect(await executeCommand(deps, command)).toEqual({ ...first, replayed: true });
      expect(await storedEvents(userId)).toHaveLength(3);
    });
  });

  it('lets an expired key be used again', async () => {
    const userId = await newUser();
    const command = keyed(balance(userId, 7));
    const dayAndAMinuteLater = () => new Date(Date.now() + (24 * 60 + 1) * 60 * 1000);
    await executeCommand(deps, command);
    const later = await executeCommand(
      { ...deps, now: dayAndAMinuteLater },
      { ...command, command: balance(userId, 8).command },
    );
    expect(versionOf(later)).toBe(3);
  });
});

describe('the pending erasures, written in the transaction of the event that changes them', () => {
  const pendingRow = async (userId: string) =>
    (
      await client.send(
        new GetCommand({
          TableName: tables.PendingErasuresTable,
          Key: { UserID: userId },
          ConsistentRead: true,
        }),
      )
    ).Item;
  const command = (userId: string, type: string, extra: Partial<CommandRequest> = {}) =>
    executeCommand(
      deps,
      request(userId, { type, payload: {} } as CommandRequest['command'], extra),
    );
  /** The due time the user's newest request stored. */
  const requestedDue = async (userId: string) =>
    (await storedEvents(userId)).findLast((event) => event.type === 'USER_ERASURE_REQUESTED')
      ?.payload as { erase_after: string };

  it('holds a request from when it is stored until it is cancelled or carried out, nothing personal', async () => {
    const userId = await newUser();
    expect(await pendingRow(userId)).toBeUndefined();
    await command(userId, 'USER_ERASURE_REQUESTED');
    const first = await requestedDue(userId);
    expect(await pendingRow(userId)).toEqual({ UserID: userId, EraseAfter: first.erase_after });
    await command(userId, 'USER_ERASURE_CANCELLED');
    expect(await pendingRow(userId)).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await command(userId, 'USER_ERASURE_REQUESTED');
    const second = await requestedDue(userId);
    expect(second.erase_after).not.toBe(first.erase_after);
    expect(await pendingRow(userId)).toEqual({ UserID: userId, EraseAfter: second.erase_after });
    // The erasure (here an administrator's, at once) deletes it with the key's shredding.
    await command(userId, 'USER_ERASED');
    expect(await pendingRow(userId)).toBeUndefined();
    // An erasure with nothing pending leaves nothing behind either.
    const other = await newUser();
    await command(other, 'USER_ERASED');
    expect(await pendingRow(other)).toBeUndefined();
  });

  it('is written with the event or not at all: a transaction that fails leaves neither', async () => {
    /** A request or a cancellation at `version`, as a writer that read an older head appends it. */
    const appendAt = (
      userId: string,
      version: number,
      type: 'USER_ERASURE_REQUESTED' | 'USER_ERASURE_CANCELLED',
      eraseAfter: string,
    ) =>
      deps.store.appendEvents({
        events: [
          {
            event: {
              type,
              payload: { erase_after: eraseAfter },
              userId,
              version,
              eventId: randomUUID(),
              occurredAt: new Date().toISOString(),
              correlationId: 'test',
              schemaVersion: schemaVersionOf(type),
            } as RecordedEvent,
            stateAfter:
              type === 'USER_ERASURE_REQUESTED'
                ? { status: 'deleted', pendingErasure: { eraseAfter } }
                : { status: 'deleted' },
          },
        ],
      });
    // A request at a version another writer took: DynamoDB refuses the transaction, row and all.
    const userId = await newUser();
    await expect(
      appendAt(userId, 1, 'USER_ERASURE_REQUESTED', '2027-01-01T00:00:00.000Z'),
    ).rejects.toThrow(VersionTakenError);
    expect(await storedItems(userId)).toHaveLength(1);
    expect(await pendingRow(userId)).toBeUndefined();
    // A cancellation that loses the same way leaves the pending request's row as it was.
    await command(userId, 'USER_ERASURE_REQUESTED');
    const row = await pendingRow(userId);
    await expect(
      appendAt(userId, 2, 'USER_ERASURE_CANCELLED', String(row?.EraseAfter)),
    ).rejects.toThrow(VersionTakenError);
    expect(await storedItems(userId)).toHaveLength(2);
    expect(await pendingRow(userId)).toEqual(row);
    // The pending erasures' table cannot be written (here: no such table): no event either.
    const broken = new DynamoEventStore(
      client,
      {
        events: tables.EventsTable,
        idempotency: tables.IdempotencyTable,
        erasureReceipts: tables.ErasureReceiptsTable,
        pendingErasures: `missing-${randomUUID()}`,
      },
      testDataKeys(tables.DataKeysTable),
    );
    const other = await newUser();
    const requested = request(other, { type: 'USER_ERASURE_REQUESTED', payload: {} });
    await expect(executeCommand({ ...deps, store: broken }, requested)).rejects.toThrow();
    expect(await storedItems(other)).toHaveLength(1);
  });

  it('is written once through a lost answer, and a retry under the same key replays, writing nothing', async () => {
    const userId = await newUser();
    const lossy = testDocumentClient();
    loseResponses(lossy, { commands: ['TransactWriteItemsCommand'], when: () => true });
    const keyed = request(
      userId,
      { type: 'USER_ERASURE_REQUESTED', payload: {} },
      { idempotencyKey: randomUUID() },
    );
    const first = await executeCommand(dependenciesOver(lossy), keyed);
    expect(first).toMatchObject({ kind: 'stored', result: { version: 2 } });
    const due = await requestedDue(userId);
    expect(await pendingRow(userId)).toEqual({ UserID: userId, EraseAfter: due.erase_after });
    expect(await executeCommand(deps, keyed)).toEqual({ ...first, replayed: true });
    expect(await storedItems(userId)).toHaveLength(2);
    expect(await pendingRow(userId)).toEqual({ UserID: userId, EraseAfter: due.erase_after });
  });

  it("holds the winner's due time when requests race: the loser's transaction wrote nothing", async () => {
    const userId = await newUser();
    const at = (ms: number) => ({ ...deps, now: () => new Date(Date.now() + ms) });
    const outcomes = await Promise.all(
      [0, 1000, 2000, 3000, 4000].map((ms) =>
        executeCommand(at(ms), request(userId, { type: 'USER_ERASURE_REQUESTED', payload: {} })),
      ),
    );
    expect(outcomes.filter((outcome) => outcome.kind === 'stored')).toHaveLength(1);
    const due = await requestedDue(userId);
    expect(await pendingRow(userId)).toEqual({ UserID: userId, EraseAfter: due.erase_after });
  });
});
