import { randomUUID } from 'node:crypto';
import { DeleteCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { carryOutErasure } from '../services/command-service/src/application/carry-out-erasure';
import type { CommandDependencies } from '../services/command-service/src/application/execute-command';
import {
  cancelTransactionsForThrottling,
  firstTimes,
  throttleRequests,
} from '../test/faults/dynamodb-faults';
import {
  COMMAND_TABLES,
  type CommandTables,
  sendCommand,
  testEventStore,
} from '../test/support/command-store';
import {
  createTestTables,
  deleteTestTables,
  testDocumentClient,
} from '../test/support/integration';
import { NewerSchemaError, ReconcileStopped, reconcilePendingErasures } from './pending-erasures';

const client = testDocumentClient();
const DAY_MS = 24 * 60 * 60 * 1000;
let tables: CommandTables;
let clock = Date.parse('2026-12-07T12:00:00.000Z');
let deps: CommandDependencies;

beforeAll(async () => {
  tables = await createTestTables(COMMAND_TABLES);
  deps = {
    store: testEventStore(tables),
    now: () => new Date(clock),
    newEventId: randomUUID,
    erasureGraceSeconds: 30 * 24 * 60 * 60,
  };
});
afterAll(() => deleteTestTables(tables));

const reconcile = (through = client) =>
  reconcilePendingErasures({
    client: through,
    eventsTable: tables.EventsTable,
    pendingErasuresTable: tables.PendingErasuresTable,
  });

const rows = async () => {
  const { Items = [] } = await client.send(
    new ScanCommand({ TableName: tables.PendingErasuresTable, ConsistentRead: true }),
  );
  return Object.fromEntries(Items.map((item) => [item.UserID, item.EraseAfter]));
};

/** As a release from before the sweep leaves the table: the row never written, or left behind. */
const dropRow = (userId: string) =>
  client.send(
    new DeleteCommand({ TableName: tables.PendingErasuresTable, Key: { UserID: userId } }),
  );
const putRow = (userId: string, eraseAfter: string) =>
  client.send(
    new PutCommand({
      TableName: tables.PendingErasuresTable,
      Item: { UserID: userId, EraseAfter: eraseAfter },
    }),
  );

const user = async (...commands: string[]) => {
  const userId = `reconcile-${randomUUID()}`;
  await sendCommand(deps, userId, 'USER_CREATED', { name: 'Recon Canary', email: 'r@example.com' });
  for (const type of commands) {
    clock += 1000;
    const answer = await sendCommand(deps, userId, type);
    expect(answer.kind).toBe('stored');
  }
  return userId;
};

const dueTime = (requestedAt: number) => new Date(requestedAt + 30 * DAY_MS).toISOString();

describe('npm run reconcile-pending-erasures', () => {
  it('makes the table hold exactly the requests pending in the events, and a second run changes nothing', async () => {
    const missing = await user('USER_ERASURE_REQUESTED');
    const missingDue = dueTime(clock);
    await dropRow(missing);
    const kept = await user('USER_ERASURE_REQUESTED');
    const keptDue = dueTime(clock);
    const cancelled = await user('USER_ERASURE_REQUESTED', 'USER_ERASURE_CANCELLED');
    await putRow(cancelled, dueTime(clock - 1000));
    const askedAgain = await user(
      'USER_ERASURE_REQUESTED',
      'USER_ERASURE_CANCELLED',
      'USER_ERASURE_REQUESTED',
    );
    const askedAgainDue = dueTime(clock);
    await putRow(askedAgain, dueTime(clock - 2000));
    const neverAsked = await user();
    await putRow(neverAsked, dueTime(clock));
    const stranger = `reconcile-nobody-${randomUUID()}`;
    await putRow(stranger, dueTime(clock));

    const report = await reconcile();
    expect(await rows()).toEqual({
      [missing]: missingDue,
      [kept]: keptDue,
      [askedAgain]: askedAgainDue,
    });
    expect(report).toMatchObject({ users: 4, pending: 3, put: 2, deleted: 3 });
    expect(report.scanned).toBe(12);

    expect(await reconcile()).toMatchObject({ pending: 3, put: 0, deleted: 0 });
  });

  it("removes an erased user's row, and never undoes a row that a command wrote during the run", async () => {
    const erased = await user('USER_ERASURE_REQUESTED');
    const due = dueTime(clock);
    clock = Date.parse(due) + 1000;
    const carried = await carryOutErasure(
      deps,
      { userId: erased, eraseAfter: due },
      { correlationId: 'test', deadline: Date.now() + 10_000 },
    );
    expect(carried.outcome).toBe('erased');
    await putRow(erased, due);

    const changesMind = await user('USER_ERASURE_REQUESTED', 'USER_ERASURE_CANCELLED');
    await putRow(changesMind, dueTime(clock - 1000));
    // The user asks again just as the tool is about to remove their stale row.
    let askedAgainDue: string | undefined;
    const racing = testDocumentClient();
    racing.middlewareStack.add(
      (next, context) => async (args) => {
        const removing = JSON.stringify(args.input).includes(changesMind);
        const transaction = String(context.commandName).startsWith('TransactWrite');
        if (transaction && removing && !askedAgainDue) {
          clock += 1000;
          askedAgainDue = dueTime(clock);
          expect((await sendCommand(deps, changesMind, 'USER_ERASURE_REQUESTED')).kind).toBe(
            'stored',
          );
        }
        return next(args);
      },
      { step: 'initialize' },
    );

    const report = await reconcile(racing);
    expect(askedAgainDue).toBeDefined();
    const after = await rows();
    expect(after[erased]).toBeUndefined();
    expect(after[changesMind]).toBe(askedAgainDue);
    expect(report.undecided).toEqual([]);
  });

  it('waits out a busy table, and stops at an event of a newer schema saying what it wrote', async () => {
    const missing = await user('USER_ERASURE_REQUESTED');
    const due = dueTime(clock);
    await dropRow(missing);
    const busy = testDocumentClient();
    cancelTransactionsForThrottling(busy, {
      commands: ['TransactWriteItemsCommand', 'TransactWriteCommand'],
      when: firstTimes(2),
    });
    const report = await reconcile(busy);
    expect((await rows())[missing]).toBe(due);
    expect(report.contended).toEqual([]);

    // Whole requests refused too, reads and the transaction, past the SDK's retries.
    const refused = await user('USER_ERASURE_REQUESTED');
    const refusedDue = dueTime(clock);
    await dropRow(refused);
    const throttled = testDocumentClient();
    throttleRequests(throttled, {
      commands: ['QueryCommand', 'TransactWriteCommand'],
      when: firstTimes(2),
    });
    const secondTry = testDocumentClient();
    throttleRequests(secondTry, { commands: ['TransactWriteCommand'], when: firstTimes(1) });
    expect((await reconcile(throttled)).contended).toEqual([]);
    expect((await rows())[refused]).toBe(refusedDue);
    await dropRow(refused);
    expect(await reconcile(secondTry)).toMatchObject({ put: 1, contended: [] });
    expect((await rows())[refused]).toBe(refusedDue);

    // A newer release's event heads a user's history: what is pending is not guessed at.
    const newer = await user('USER_ERASURE_REQUESTED');
    await dropRow(newer);
    await client.send(
      new PutCommand({
        TableName: tables.EventsTable,
        Item: { AggregateID: newer, Sequence: 3, EventType: 'USER_FUTURE', SchemaVersion: 99 },
      }),
    );
    const stopped = await reconcile().catch((error: unknown) => error);
    expect(stopped).toBeInstanceOf(ReconcileStopped);
    expect((stopped as ReconcileStopped).cause).toBeInstanceOf(NewerSchemaError);
    expect((await rows())[newer]).toBeUndefined();
  });
});
