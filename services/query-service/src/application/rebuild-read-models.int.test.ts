import { BatchWriteCommand, paginateScan } from '@aws-sdk/lib-dynamodb';
import type { RecordedEvent } from '@users/shared';
import fc from 'fast-check';
import { InMemoryDataKeys } from '../../../../test/support/in-memory-data-keys';
import {
  createTestTables,
  deleteTestTables,
  testDocumentClient,
} from '../../../../test/support/integration';
import {
  deliver,
  deliveryArbitrary,
  encodeStoredEvent,
  historiesArbitrary,
  toStreamRecord,
} from '../../../../test/support/stream-simulation';
import { createProjector } from '../handlers/projector/projector';
import { DynamoEventScan } from '../infrastructure/dynamo-event-scan';
import { DynamoReadModelStore } from '../infrastructure/dynamo-read-model-store';
import { foldUserReadModels, heldReadModels, toSummary } from '../projections';
import { rebuildReadModels } from './rebuild-read-models';

const client = testDocumentClient();
const readModelTableIds = ['UserDetailTable', 'UserHistoryTable'] as const;

type Tables = Record<(typeof readModelTableIds)[number], string> & { EventsTable: string };

const createTables = async (): Promise<Tables> => ({
  ...(await createTestTables(readModelTableIds)),
  ...(await createTestTables(['EventsTable'])),
});

const readModelsOn = (tables: Tables) =>
  new DynamoReadModelStore(client, {
    detail: tables.UserDetailTable,
    history: tables.UserHistoryTable,
    listIndex: 'ListIndex',
  });

const keys = new InMemoryDataKeys();
const record = (event: RecordedEvent) => toStreamRecord(event, keys);

const storeEvents = async (table: string, events: RecordedEvent[]) => {
  for (let start = 0; start < events.length; start += 25) {
    const batch = events
      .slice(start, start + 25)
      .map((event) => ({ PutRequest: { Item: encodeStoredEvent(event, keys) } }));
    await client.send(new BatchWriteCommand({ RequestItems: { [table]: batch } }));
  }
};

/** Every item of every read-model table, sorted: two equal dumps mean equal read models. */
const dump = async (tables: Tables) => {
  const result: Record<string, unknown[]> = {};
  for (const id of readModelTableIds) {
    const items: Record<string, unknown>[] = [];
    for await (const page of paginateScan(
      { client },
      { TableName: tables[id], ConsistentRead: true },
    )) {
      items.push(...(page.Items ?? []));
    }
    result[id] = items.map((item) => JSON.stringify(item, Object.keys(item).sort())).sort();
  }
  return result;
};

const rebuild = (tables: Tables) =>
  rebuildReadModels(
    new DynamoEventScan(client, tables.EventsTable, { segments: 3, usersInFlight: 2 }),
    readModelsOn(tables),
    keys,
  );

describe('rebuilding the read models from the event store', () => {
  let tables: Tables;
  beforeEach(async () => {
    tables = await createTables();
  });
  afterEach(() => deleteTestTables(tables));

  it('ends in the same state as the live projector, and again when run twice', async () => {
    const [histories, delivery] = fc.sample(fc.tuple(historiesArbitrary('rb'), deliveryArbitrary), {
      seed: 42,
      numRuns: 1,
    })[0] as [RecordedEvent[][], Parameters<typeof deliver>[2]];
    const events = histories.flat();
    await storeEvents(tables.EventsTable, events);
    await deliver(createProjector(readModelsOn(tables), keys), events.map(record), delivery);
    const live = await dump(tables);

    const fresh = await createTables();
    try {
      await storeEvents(fresh.EventsTable, events);
      const report = await rebuild(fresh);
      expect(report).toEqual({ users: histories.length, events: events.length, failedUsers: [] });
      expect(await dump(fresh)).toEqual(live);
      await rebuild(fresh);
      expect(await dump(fresh)).toEqual(live);
    } finally {
      await deleteTestTables(fresh);
    }
  });

  it('repairs damaged read models', async () => {
    const histories = fc.sample(historiesArbitrary('fix'), {
      seed: 7,
      numRuns: 1,
    })[0] as RecordedEvent[][];
    await storeEvents(tables.EventsTable, histories.flat());
    await rebuild(tables);
    const healthy = await dump(tables);

    const readModels = readModelsOn(tables);
    for (const events of histories) {
      const { detail } = heldReadModels(1, foldUserReadModels(events));
      await readModels.restoreUser({
        detail: { ...detail, balance: -999, name: 'corrupted' },
        history: [],
      });
    }
    expect(await dump(tables)).not.toEqual(healthy);
    await rebuild(tables);
    expect(await dump(tables)).toEqual(healthy);
  });

  it('converges when it races the live projector', async () => {
    await fc.assert(
      fc.asyncProperty(
        historiesArbitrary('race'),
        deliveryArbitrary,
        async (histories, delivery) => {
          const raceTables = await createTables();
          try {
            const events = histories.flat();
            await storeEvents(raceTables.EventsTable, events);
            const readModels = readModelsOn(raceTables);
            await Promise.all([
              deliver(createProjector(readModels, keys), events.map(record), delivery),
              rebuild(raceTables),
            ]);
            for (const userEvents of histories) {
              const expected = heldReadModels(1, foldUserReadModels(userEvents));
              const userId = expected.detail.userId;
              expect(await readModels.getDetail(userId)).toEqual(expected.detail);
              const listed = (await readModels.listSummaries(100)).items.filter(
                (s) => s.userId === userId,
              );
              expect(listed).toEqual(expected.detail.deleted ? [] : [toSummary(expected.detail)]);
            }
          } finally {
            await deleteTestTables(raceTables);
          }
        },
      ),
      { numRuns: 8 },
    );
  });
});
