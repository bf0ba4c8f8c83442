import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { encodeEvent } from '@users/shared';
import { balanceChanged, deleted, erased, recordedEvents } from '../test/fixtures/events';
import {
  createTestTables,
  deleteTestTables,
  testDocumentClient,
} from '../test/support/integration';
import { type LocalAws, startLocalAws } from './local-stack/local-aws';
import { stageConfig } from './local-stack/tables';
import { replayEvents } from './replay-events-with-progress';

const PORT = Number(process.env.TEST_REPLAY_BUS_PORT ?? 8108);
const BUS = 'users-replay-test';
let localAws: LocalAws;
let tables: { EventsTable: string; ErasureReceiptsTable: string };
const delivered: unknown[] = [];

beforeAll(async () => {
  tables = await createTestTables(['EventsTable', 'ErasureReceiptsTable']);
  localAws = await startLocalAws(PORT, {
    deliver: async (_, event) => {
      delivered.push(event);
    },
  });
  localAws.bus.setRules([{ bus: BUS, functionName: 'subscriber', pattern: { source: ['users'] } }]);
});
afterAll(async () => {
  await localAws?.stop();
  await deleteTestTables(tables);
});

describe('npm run replay-events over a store with an item it cannot read', () => {
  it('publishes every other event, and names the one it skipped', async () => {
    const client = testDocumentClient();
    const [balance, deletion] = recordedEvents('replay-skip', [balanceChanged(3), deleted]);
    const state = { status: 'active', balance: 3 };
    for (const event of [balance, deletion]) {
      const item = encodeEvent(event as never, { state, stateVersion: 2 }, undefined);
      // The second as a newer release might write it: a type this one does not know.
      const stored = event === deletion ? { ...item, EventType: 'USER_FROM_THE_FUTURE' } : item;
      await client.send(new PutCommand({ TableName: tables.EventsTable, Item: stored }));
    }
    const config = { ...stageConfig('local', { endpoint: 'http://unused' }), client };
    const report = await replayEvents(
      { ...config, eventsTable: tables.EventsTable },
      new EventBridgeClient({
        region: 'us-east-1',
        endpoint: `http://localhost:${PORT}`,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      }),
      BUS,
      {},
    );
    expect(report).toMatchObject({
      events: 2,
      published: 1,
      unpublished: 0,
      unreadable: ['replay-skip@2'],
    });
    await localAws.bus.settled();
    expect(delivered).toEqual([expect.objectContaining({ 'detail-type': 'user.balance-changed' })]);
  });

  it("notes an erasure's publication on its receipt, as the publisher would have", async () => {
    const client = testDocumentClient();
    const [erasure] = recordedEvents('replay-erased', [erased]);
    const item = encodeEvent(
      erasure as never,
      { state: { status: 'erased' }, stateVersion: 2 },
      undefined,
    );
    await client.send(new PutCommand({ TableName: tables.EventsTable, Item: item }));
    await client.send(
      new PutCommand({ TableName: tables.ErasureReceiptsTable, Item: { UserID: 'replay-erased' } }),
    );
    const config = { ...stageConfig('local', { endpoint: 'http://unused' }), client };
    const report = await replayEvents(
      {
        ...config,
        eventsTable: tables.EventsTable,
        erasureReceiptsTable: tables.ErasureReceiptsTable,
      },
      new EventBridgeClient({
        region: 'us-east-1',
        endpoint: `http://localhost:${PORT}`,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      }),
      BUS,
      { userId: 'replay-erased' },
    );
    expect(report).toMatchObject({ events: 1, published: 1, unpublished: 0 });
    const { Item } = await client.send(
      new GetCommand({
        TableName: tables.ErasureReceiptsTable,
        Key: { UserID: 'replay-erased' },
        ConsistentRead: true,
      }),
    );
    expect(Date.parse(Item?.PublishedAt)).toBeGreaterThan(Date.now() - 60_000);
  });
});
