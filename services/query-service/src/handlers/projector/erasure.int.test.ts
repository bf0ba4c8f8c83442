import type { RecordedEvent, UserEvent } from '@users/shared';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { limitWrites } from '../../../../../test/faults/dynamodb-faults';
import {
  balanceChanged,
  created,
  erased,
  recordedEvents,
} from '../../../../../test/fixtures/events';
import { InMemoryDataKeys } from '../../../../../test/support/in-memory-data-keys';
import {
  createTestTables,
  deleteTestTables,
  testDocumentClient,
} from '../../../../../test/support/integration';
import { toStreamRecord } from '../../../../../test/support/stream-simulation';
import { finishErasures } from '../../application/finish-erasures';
import { readableDetail, readableHistory } from '../../application/reading-rules';
import { DynamoReadModelStore } from '../../infrastructure/dynamo-read-model-store';
import { foldUserReadModels } from '../../projections';
import { createProjector } from './projector';

const TABLES = ['UserDetailTable', 'UserHistoryTable'] as const;
let tables: Record<(typeof TABLES)[number], string>;
beforeAll(async () => {
  tables = await createTestTables(TABLES);
});
afterAll(() => deleteTestTables(tables));

const storeOver = (client = testDocumentClient()) =>
  new DynamoReadModelStore(client, {
    detail: tables.UserDetailTable,
    history: tables.UserHistoryTable,
    listIndex: 'ListIndex',
    pendingErasuresIndex: 'PendingErasures',
  });

/** A user with `length` events, read models in place, and the stream record of their erasure. */
const userWithHistory = async (userId: string, length: number) => {
  const bodies: UserEvent[] = [
    created('Canary Ada', 'canary.ada@example.com'),
    ...Array.from({ length: length - 1 }, () => balanceChanged(1)),
  ];
  const events = recordedEvents(userId, [...bodies, erased]) as RecordedEvent[];
  await storeOver().restoreUser(foldUserReadModels(events.slice(0, -1)));
  return events.at(-1) as RecordedEvent;
};

const allHistory = async (store: DynamoReadModelStore, userId: string) => {
  const entries = [];
  let after: Record<string, string | number> | undefined;
  do {
    const page = await store.listHistory(userId, 1000, after);
    entries.push(...page.items);
    after = page.next;
  } while (after);
  return entries;
};

/** What the two read routes would answer now (reading-rules.ts), as text. */
const served = async (store: DynamoReadModelStore, userId: string) => {
  const current = await store.getDetail(userId);
  const history = await store.listHistory(userId, 100);
  const asOf1 = await store.getHistoryEntry(userId, 1);
  return JSON.stringify([
    readableDetail(current),
    readableDetail(current, { version: 1, entry: asOf1 }),
    readableHistory(current, history.items),
  ]);
};

describe('erasing a user with a long history, writes limited as on one hot partition', () => {
  it.each([[10_000]])(
    'with %i events: nothing personal is served once the tombstone is written, which comes first; the history is rewritten across invocations',
    async (length) => {
      const userId = `long-${length}-${Date.now()}`;
      const keys = new InMemoryDataKeys();
      const erasure = await userWithHistory(userId, length);
      // A tenth of what one partition takes in AWS, so the test sees several invocations.
      const throttled = testDocumentClient();
      limitWrites(throttled, tables.UserHistoryTable, 2000);
      const store = storeOver(throttled);
      const project = createProjector(store, keys);
      const started = Date.now();
      let tombstoneAt: number | undefined;
      const watching = setInterval(async () => {
        if (!tombstoneAt && (await storeOver().getDetail(userId))?.erased) tombstoneAt = Date.now();
      }, 20);

      // An invocation with 3 s left: the rewrite must stop in time and leave the rest.
      const response = await project(
        { Records: [toStreamRecord(erasure, keys)] } as DynamoDBStreamEvent,
        { getRemainingTimeInMillis: () => 3000 },
      );
      const invocationMs = Date.now() - started;
      clearInterval(watching);

      expect(response.batchItemFailures).toEqual([]);
      expect(invocationMs).toBeLessThan(3000);
      expect((tombstoneAt ?? Number.POSITIVE_INFINITY) - started).toBeLessThan(1000);
      expect(await served(storeOver(), userId)).not.toMatch(/Canary|canary/);
      expect(await store.pendingErasures(10)).toContain(userId);
      const leftAfterProjector = (await allHistory(storeOver(), userId)).filter((e) => !e.erased);
      expect(leftAfterProjector.length).toBeGreaterThan(0);

      // The history eraser's runs, each with 2 s, finish it.
      let runs = 0;
      while ((await store.pendingErasures(10)).includes(userId)) {
        if (++runs > 20) throw new Error('the history eraser made no progress');
        await finishErasures(store, Date.now() + 2000);
      }
      const history = await allHistory(storeOver(), userId);
      expect(history).toHaveLength(length + 1);
      expect(JSON.stringify(history)).not.toMatch(/Canary|canary/);
      expect(history.every((entry) => entry.erased)).toBe(true);
      console.info(
        `erasure of ${length} events: tombstone after ${(tombstoneAt ?? Number.NaN) - started} ms, projector invocation ${invocationMs} ms left ${leftAfterProjector.length} entries, ${runs} eraser runs`,
      );
    },
    120_000,
  );

  it('starts the rewrite over when entries were written after a pass went by them', async () => {
    const userId = `again-${Date.now()}`;
    const keys = new InMemoryDataKeys();
    const erasure = await userWithHistory(userId, 300);
    const store = storeOver();
    await createProjector(
      store,
      keys,
    )({
      Records: [toStreamRecord(erasure, keys)],
    } as DynamoDBStreamEvent);
    expect(await store.pendingErasures(10)).not.toContain(userId);
    // A slow invocation, overtaken, writes an entry in the clear after the rewrite finished.
    const [first] = foldUserReadModels(
      recordedEvents(userId, [created('Canary Ada', 'canary.ada@example.com')]),
    ).history;
    if (!first) throw new Error('no entry');
    await store.putHistoryEntries([first]);
    await store.eraseHistoryAgain(userId);
    expect(await store.pendingErasures(10)).toContain(userId);
    expect(await store.eraseHistory(userId, Date.now() + 5000)).toBe(true);
    expect(JSON.stringify(await allHistory(store, userId))).not.toMatch(/Canary|canary/);
  });
});
