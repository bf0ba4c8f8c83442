import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordedEvent } from '@users/shared';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import fc from 'fast-check';
import { createProjector } from '../../services/query-service/src/handlers/projector/projector';
import { DynamoReadModelStore } from '../../services/query-service/src/infrastructure/dynamo-read-model-store';
import { foldUserReadModels, heldReadModels } from '../../services/query-service/src/projections';
import { InMemoryDataKeys } from '../support/in-memory-data-keys';
import { createTestTables, deleteTestTables, testDocumentClient } from '../support/integration';
import {
  deliver,
  deliveryArbitrary,
  historiesArbitrary,
  toStreamRecord,
} from '../support/stream-simulation';
import { leaveUnprocessed, throttleTable } from './dynamodb-faults';
import { withFaults } from './projector-faults';

describe('the projector under injected faults', () => {
  it.each([
    ['fails on every record', { failEvery: 1 }],
    ['fails every 3rd record', { failEvery: 3 }],
    ['fails after the history entry, before the detail', { failAfterHistory: 0.7 }],
  ])('converges once the fault is lifted when it %s', async (_, faults) => {
    const tables = await createTestTables(['UserDetailTable', 'UserHistoryTable']);
    const dir = mkdtempSync(join(tmpdir(), 'faults-'));
    const faultFile = join(dir, 'faults.json');
    try {
      const store = new DynamoReadModelStore(testDocumentClient(), {
        detail: tables.UserDetailTable,
        history: tables.UserHistoryTable,
        listIndex: 'ListIndex',
      });
      writeFileSync(faultFile, JSON.stringify(faults));
      const keys = new InMemoryDataKeys();
      const project = createProjector(withFaults(store, faultFile), keys);
      let batches = 0;
      const liftingAfter20Batches = (event: DynamoDBStreamEvent) => {
        if (++batches === 20) rmSync(faultFile);
        return project(event);
      };
      const [histories, delivery] = fc.sample(
        fc.tuple(historiesArbitrary('fault'), deliveryArbitrary),
        {
          seed: 11,
          numRuns: 1,
        },
      )[0] as [RecordedEvent[][], Parameters<typeof deliver>[2]];

      await deliver(
        liftingAfter20Batches,
        histories.flat().map((event) => toStreamRecord(event, keys)),
        delivery,
      );

      for (const events of histories) {
        const expected = heldReadModels(1, foldUserReadModels(events));
        expect(await store.getDetail(expected.detail.userId)).toEqual(expected.detail);
        const history = await store.listHistory(expected.detail.userId, 100);
        expect(history.items).toEqual(expected.history);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await deleteTestTables(tables);
    }
  });

  it('converges when DynamoDB leaves half of each batch read and write unprocessed', async () => {
    const tables = await createTestTables(['UserDetailTable', 'UserHistoryTable']);
    try {
      const client = testDocumentClient();
      const heldBack = leaveUnprocessed(client, {
        commands: ['BatchWriteItemCommand', 'BatchGetItemCommand'],
        when: () => true,
      });
      const store = new DynamoReadModelStore(client, {
        detail: tables.UserDetailTable,
        history: tables.UserHistoryTable,
        listIndex: 'ListIndex',
      });
      const keys = new InMemoryDataKeys();
      const histories = fc.sample(historiesArbitrary('unprocessed'), { seed: 5, numRuns: 1 })[0];
      const events = (histories as RecordedEvent[][]).flat();

      await createProjector(
        store,
        keys,
      )({
        Records: events.map((event) => toStreamRecord(event, keys)),
      } as DynamoDBStreamEvent);

      for (const userEvents of histories as RecordedEvent[][]) {
        const expected = heldReadModels(1, foldUserReadModels(userEvents));
        expect(await store.getDetail(expected.detail.userId)).toEqual(expected.detail);
        expect((await store.listHistory(expected.detail.userId, 100)).items).toEqual(
          expected.history,
        );
      }
      // Every item held back was asked for again, until all of it was taken.
      expect(heldBack.items).toBeGreaterThan(events.length / 2);
    } finally {
      await deleteTestTables(tables);
    }
  });

  it('gives up, to have the batch retried, when DynamoDB keeps leaving items unprocessed', async () => {
    const tables = await createTestTables(['UserDetailTable', 'UserHistoryTable']);
    try {
      const client = testDocumentClient();
      leaveUnprocessed(client, { commands: ['BatchGetItemCommand'], when: () => true }, 'all');
      const store = new DynamoReadModelStore(client, {
        detail: tables.UserDetailTable,
        history: tables.UserHistoryTable,
        listIndex: 'ListIndex',
      });
      await expect(store.getDetails(['a', 'b'])).rejects.toThrow(/unprocessed 8 times/);
    } finally {
      await deleteTestTables(tables);
    }
  });
});

describe("the console's feed", () => {
  it('never holds back the read models, even when every write to it is throttled', async () => {
    const tables = await createTestTables([
      'UserDetailTable',
      'UserHistoryTable',
      'RecentEventsTable',
    ]);
    try {
      const client = testDocumentClient();
      const throttled = throttleTable(client, tables.RecentEventsTable);
      const store = new DynamoReadModelStore(client, {
        detail: tables.UserDetailTable,
        history: tables.UserHistoryTable,
        listIndex: 'ListIndex',
        recentEvents: tables.RecentEventsTable,
      });
      const keys = new InMemoryDataKeys();
      const histories = fc.sample(historiesArbitrary('feed'), { seed: 7, numRuns: 1 })[0];
      const events = (histories as RecordedEvent[][]).flat();

      const response = await createProjector(
        store,
        keys,
      )({
        Records: events.map((event) => toStreamRecord(event, keys)),
      } as DynamoDBStreamEvent);

      expect(response.batchItemFailures).toEqual([]);
      expect(throttled.requests).toBeGreaterThan(0);
      for (const userEvents of histories as RecordedEvent[][]) {
        const expected = heldReadModels(1, foldUserReadModels(userEvents));
        expect(await store.getDetail(expected.detail.userId)).toEqual(expected.detail);
      }
    } finally {
      await deleteTestTables(tables);
    }
  });
});
