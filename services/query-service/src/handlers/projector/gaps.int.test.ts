import { marshall } from '@aws-sdk/util-dynamodb';
import { encodeEvent, type RecordedEvent } from '@users/shared';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { writeItems } from '../../../../../bench/fixtures';
import {
  balanceChanged,
  created,
  recordedEvents,
  updated,
} from '../../../../../test/fixtures/events';
import {
  createTestTables,
  deleteTestTables,
  testDataKeys,
  testDocumentClient,
} from '../../../../../test/support/integration';
import { DynamoReadModelStore } from '../../infrastructure/dynamo-read-model-store';
import { DynamoUserEvents } from '../../infrastructure/dynamo-user-events';
import { foldUserReadModels, heldReadModels } from '../../projections';
import { createProjector } from './projector';

const TABLES = ['EventsTable', 'DataKeysTable', 'UserDetailTable', 'UserHistoryTable'] as const;
let tables: Record<(typeof TABLES)[number], string>;
beforeAll(async () => {
  tables = await createTestTables(TABLES);
});
afterAll(() => deleteTestTables(tables));

const client = testDocumentClient();
let sequence = 0;

/** The user's events in the event store, and their stream records. */
const storedHistory = async (userId: string, events: RecordedEvent[]) => {
  const keys = testDataKeys(tables.DataKeysTable);
  const key = await keys.readOrCreate(userId);
  const items = events.map((event) => encodeEvent(event, { state: {}, stateVersion: 1 }, key));
  await writeItems(client, tables.EventsTable, items);
  return items.map(
    (item): DynamoDBRecord => ({
      eventID: String(++sequence),
      eventName: 'INSERT',
      dynamodb: {
        SequenceNumber: String(sequence).padStart(21, '0'),
        NewImage: marshall(item) as never,
      },
    }),
  );
};

describe('a gap in the stream (a record given up on, in the failure queue)', () => {
  const store = () =>
    new DynamoReadModelStore(client, {
      detail: tables.UserDetailTable,
      history: tables.UserHistoryTable,
      listIndex: 'ListIndex',
    });

  it('is filled from the event store, read-only and for that user only, and heals', async () => {
    const userId = `gap-${Date.now()}`;
    const events = recordedEvents(userId, [
      created('Ada', 'ada@example.com'),
      balanceChanged(5),
      updated({ name: 'Ada L.' }),
      balanceChanged(-2),
    ]) as RecordedEvent[];
    const [first, lost, ...later] = await storedHistory(userId, events);
    if (!first || !lost) throw new Error('no records');
    const project = createProjector(
      store(),
      testDataKeys(tables.DataKeysTable),
      new DynamoUserEvents(client, tables.EventsTable),
    );

    expect(await project({ Records: [first] } as DynamoDBStreamEvent)).toEqual({
      batchItemFailures: [],
    });
    // Record 2 never comes: later batches hold only what followed it.
    expect(await project({ Records: later } as DynamoDBStreamEvent)).toEqual({
      batchItemFailures: [],
    });

    const expected = heldReadModels(1, foldUserReadModels(events));
    expect(await store().getDetail(userId)).toEqual(expected.detail);
    expect((await store().listHistory(userId, 10)).items).toEqual(expected.history);
  });

  it('without an event store to read, waits for the missing record (reported, retried)', async () => {
    const userId = `gap-waits-${Date.now()}`;
    const events = recordedEvents(userId, [created(), balanceChanged(1), balanceChanged(2)]);
    const [first, , last] = await storedHistory(userId, events as RecordedEvent[]);
    if (!first || !last) throw new Error('no records');
    const project = createProjector(store(), testDataKeys(tables.DataKeysTable));
    await project({ Records: [first] } as DynamoDBStreamEvent);
    expect(await project({ Records: [last] } as DynamoDBStreamEvent)).toEqual({
      batchItemFailures: [{ itemIdentifier: last.dynamodb?.SequenceNumber }],
    });
  });
});
