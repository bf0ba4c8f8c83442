import { randomUUID } from 'node:crypto';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { encodeEvent, type RecordedEvent, type UserEvent } from '@users/shared';
import { readDeliveredEvent } from '@users/shared/integration';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { type LocalAws, startLocalAws } from '../../../../../scripts/local-stack/local-aws';
import { failEntries } from '../../../../../test/faults/eventbridge-faults';
import {
  balanceChanged,
  created,
  deleted,
  erased,
  recordedEvents,
  updated,
} from '../../../../../test/fixtures/events';
import { emfWrittenBy } from '../../../../../test/support/emf';
import { InMemoryDataKeys } from '../../../../../test/support/in-memory-data-keys';
import {
  createTestTables,
  deleteTestTables,
  testDocumentClient,
} from '../../../../../test/support/integration';
import { DynamoErasureReceipts } from '../../infrastructure/dynamo-erasure-receipts';
import { EventBridgeBus } from '../../infrastructure/eventbridge-bus';
import { publisherMetrics } from './metrics';
import { createPublisher } from './publisher';

const PORT = Number(process.env.TEST_BUS_PORT ?? 8106);
const BUS = 'users-test';
let localAws: LocalAws;
const delivered: unknown[] = [];

const documents = testDocumentClient();
let receiptsTable: string;
let receipts: DynamoErasureReceipts;

beforeAll(async () => {
  ({ ErasureReceiptsTable: receiptsTable } = await createTestTables(['ErasureReceiptsTable']));
  receipts = new DynamoErasureReceipts(documents, receiptsTable);
  localAws = await startLocalAws(PORT, {
    deliver: async (_, event) => {
      delivered.push(event);
    },
  });
  localAws.bus.setRules([{ bus: BUS, functionName: 'subscriber', pattern: { source: ['users'] } }]);
});
afterAll(async () => {
  await localAws?.stop();
  await deleteTestTables({ receiptsTable });
});
beforeEach(async () => {
  await localAws.bus.settled();
  delivered.length = 0;
});

const eventBridge = () =>
  new EventBridgeClient({
    region: 'us-east-1',
    endpoint: `http://localhost:${PORT}`,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });

const keys = new InMemoryDataKeys();
let sequence = 0;
/** Stream records of users' stored events, with the snapshot's balance as the store writes it. */
const recordsOf = (histories: UserEvent[][]) =>
  histories.flatMap((bodies, u) => {
    let balance = 0;
    return recordedEvents(`pub-${u}-${Date.now()}`, bodies).map((recorded): DynamoDBRecord => {
      const event = { ...recorded, eventId: randomUUID() };
      if (event.type === 'USER_BALANCE') balance += event.payload.delta;
      const item = encodeEvent(
        event as RecordedEvent,
        {
          state: { status: 'active', name: 'Canary Pub', email: 'canary@example.com', balance },
          stateVersion: 1,
        },
        keys.keyFor(event.userId),
      );
      return {
        eventID: String(++sequence),
        eventName: 'INSERT',
        dynamodb: {
          SequenceNumber: String(sequence).padStart(21, '0'),
          NewImage: marshall(item) as never,
        },
      };
    });
  });

const story = (): UserEvent[] => [
  created('Canary Pub', 'canary@example.com'),
  balanceChanged(40),
  updated({ email: 'canary.new@example.com' }),
  balanceChanged(-15),
  deleted,
  erased,
];

describe('the publisher', () => {
  it('publishes every stored event once as its integration event, without personal data', async () => {
    const records = recordsOf([story(), story(), story(), story()]);
    const publish = createPublisher(new EventBridgeBus(eventBridge(), BUS), receipts);
    expect(await publish({ Records: records } as DynamoDBStreamEvent)).toEqual({
      batchItemFailures: [],
    });
    await localAws.bus.settled();
    const events = delivered.map(readDeliveredEvent);
    expect(new Set(events.map((e) => e.detail.event_id)).size).toBe(records.length);
    expect(events.filter((e) => e.detail.version === 4)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          type: 'user.balance-changed',
          detail: expect.objectContaining({ data: { delta: -15, balance: 25 } }),
        }),
      ]),
    );
    expect(events.filter((e) => e.type === 'user.profile-changed')[0]?.detail.data).toEqual({
      changed: ['email'],
    });
    expect(JSON.stringify(delivered)).not.toMatch(/Canary|canary/);
  });

  it("records a batch's erasures on their receipts all at once, so a stalled table costs its bound once", async () => {
    let inFlight = 0;
    let most = 0;
    const stalled = {
      published: async () => {
        most = Math.max(most, ++inFlight);
        await new Promise((resolve) => setTimeout(resolve, 200));
        inFlight--;
      },
    };
    const publish = createPublisher(new EventBridgeBus(eventBridge(), BUS), stalled);
    const records = recordsOf([story(), story(), story()]);
    expect(await publish({ Records: records } as DynamoDBStreamEvent)).toEqual({
      batchItemFailures: [],
    });
    expect(most).toBe(3);
  });

  it('tries entries the bus reports failed again, and loses none', async () => {
    const client = eventBridge();
    let calls = 0;
    // The first two tries of every entry fail (FailedEntryCount > 0, HTTP 200).
    const tries = new Map<string, number>();
    const failed = failEntries(client, {
      fail: (entry) => {
        calls++;
        const id = JSON.parse((entry as { Detail: string }).Detail).event_id;
        tries.set(id, (tries.get(id) ?? 0) + 1);
        return (tries.get(id) ?? 0) <= 2;
      },
    });
    const records = recordsOf([story(), story(), story()]);
    const publish = createPublisher(new EventBridgeBus(client, BUS), receipts);
    expect(await publish({ Records: records } as DynamoDBStreamEvent)).toEqual({
      batchItemFailures: [],
    });
    await localAws.bus.settled();
    expect(failed.entries).toBe(2 * records.length);
    expect(calls).toBe(3 * records.length);
    expect(new Set(delivered.map((e) => readDeliveredEvent(e).detail.event_id)).size).toBe(
      records.length,
    );
  });

  it('reports what it could not publish, for the stream to deliver again (never drops it)', async () => {
    const client = eventBridge();
    failEntries(client, { fail: () => true, code: 'AccessDeniedException' });
    const records = recordsOf([story()]);
    const publish = createPublisher(new EventBridgeBus(client, BUS), receipts);
    const { batchItemFailures } = await publish({ Records: records } as DynamoDBStreamEvent);
    expect(batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
      records.map((r) => r.dynamodb?.SequenceNumber).sort(),
    );
  });

  it('reports records it cannot read (an event of a newer schema), and publishes the rest', async () => {
    const [first, second] = recordsOf([[created(), balanceChanged(1)]]) as [
      DynamoDBRecord,
      DynamoDBRecord,
    ];
    (second.dynamodb?.NewImage as Record<string, { N?: string }>).SchemaVersion = { N: '9' };
    const publish = createPublisher(new EventBridgeBus(eventBridge(), BUS), receipts);
    expect(await publish({ Records: [first, second] } as DynamoDBStreamEvent)).toEqual({
      batchItemFailures: [{ itemIdentifier: second.dynamodb?.SequenceNumber }],
    });
    await localAws.bus.settled();
    expect(delivered).toHaveLength(1);
  });

  it('counts in its metrics (EMF) what it published, with its lag, and what it could not', async () => {
    const client = eventBridge();
    const [published, refused] = [recordsOf([story()]), recordsOf([story()])];
    const refusedIds = new Set(refused.map((r) => r.dynamodb?.NewImage?.EventId?.S));
    failEntries(client, {
      fail: (entry) => refusedIds.has(JSON.parse((entry as { Detail: string }).Detail).event_id),
      code: 'AccessDeniedException',
    });
    const { metrics, text, result } = await emfWrittenBy(
      createPublisher(new EventBridgeBus(client, BUS), receipts, publisherMetrics),
      { Records: [...published, ...refused] } as DynamoDBStreamEvent,
    );
    expect(result?.batchItemFailures).toHaveLength(refused.length);
    expect(Object.fromEntries(metrics)).toMatchObject({
      EventsPublished: [published.length],
      PublishFailures: [refused.length],
    });
    expect(metrics.get('PublishLag')).toHaveLength(published.length);
    expect(text).not.toContain('pub-');
  });

  it("notes an erasure's publication on its receipt, once; a receipt it could not update holds the record back", async () => {
    const records = recordsOf([story()]);
    const erasure = records[records.length - 1] as DynamoDBRecord;
    const userId = erasure.dynamodb?.NewImage?.AggregateID?.S as string;
    await documents.send(
      new PutCommand({ TableName: receiptsTable, Item: { UserID: userId, Version: 6 } }),
    );
    const publishedAt = async () =>
      (
        await documents.send(
          new GetCommand({
            TableName: receiptsTable,
            Key: { UserID: userId },
            ConsistentRead: true,
          }),
        )
      ).Item?.PublishedAt;
    const publish = createPublisher(new EventBridgeBus(eventBridge(), BUS), receipts);
    expect(await publish({ Records: records } as DynamoDBStreamEvent)).toEqual({
      batchItemFailures: [],
    });
    const first = await publishedAt();
    expect(Date.parse(first)).toBeGreaterThan(Date.now() - 60_000);
    await publish({ Records: [erasure] } as DynamoDBStreamEvent);
    expect(await publishedAt()).toBe(first);

    const unreachable = new DynamoErasureReceipts(documents, 'no-such-table');
    const held = createPublisher(new EventBridgeBus(eventBridge(), BUS), unreachable);
    expect(await held({ Records: records } as DynamoDBStreamEvent)).toEqual({
      batchItemFailures: [{ itemIdentifier: erasure.dynamodb?.SequenceNumber }],
    });
  });
});
