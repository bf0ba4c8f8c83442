import { throttleTable } from '../../../../test/faults/dynamodb-faults';
import {
  createTestTables,
  deleteTestTables,
  testDocumentClient,
} from '../../../../test/support/integration';
import type { FinishedRewrite } from '../application/ports';
import { DynamoReadModelStore } from './dynamo-read-model-store';

const TABLES = ['UserDetailTable', 'UserHistoryTable', 'RecentEventsTable'] as const;
let tables: Record<(typeof TABLES)[number], string>;
let store: DynamoReadModelStore;

beforeAll(async () => {
  tables = await createTestTables(TABLES);
  store = new DynamoReadModelStore(testDocumentClient(), {
    detail: tables.UserDetailTable,
    history: tables.UserHistoryTable,
    listIndex: 'ListIndex',
    recentEvents: tables.RecentEventsTable,
  });
});
afterAll(() => deleteTestTables(tables));

describe("the console's feed", () => {
  it('shows only the last hour, though DynamoDB TTL has not deleted what is older yet', async () => {
    const now = new Date('2026-12-01T12:00:00.000Z');
    const at = (minutesAgo: number) => new Date(now.getTime() - minutesAgo * 60_000).toISOString();
    await store.addToFeed(
      [90, 61, 59, 1].map((minutesAgo, i) => ({
        userId: `u${i}`,
        version: 1,
        eventType: 'USER_CREATED',
        occurredAt: at(minutesAgo),
      })),
    );
    const shown = await store.recentEvents(50, now);
    expect(shown.map((event) => event.occurredAt)).toEqual([at(1), at(59)]);
  });
});

describe('GET /list', () => {
  it("never shows a user deleted or erased a moment ago, whatever the index's lag", async () => {
    const client = testDocumentClient();
    const lagging = new DynamoReadModelStore(client, store.tables);
    const userId = `listed-${Date.now()}`;
    await store.advance(
      {
        userId,
        name: 'Canary Lister',
        email: 'lister@example.com',
        balance: 0,
        version: 1,
        createdAt: '2026-12-01T00:00:00.000Z',
        updatedAt: '2026-12-01T00:00:00.000Z',
        deleted: false,
        erased: false,
      },
      0,
    );
    await store.markErased(userId);
    // A global secondary index is updated a moment after its table: the scan still finds the user.
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        if (context.commandName === 'ScanCommand') {
          const output = result.output as { Items?: Record<string, unknown>[] };
          output.Items = [...(output.Items ?? []), { UserID: userId, Name: 'Canary Lister' }];
        }
        return result;
      },
      { step: 'initialize', name: 'laggingIndex' },
    );
    const page = await lagging.listSummaries(100);
    expect(JSON.stringify(page.items)).not.toContain('Canary');
  });
});

const detailOf = (userId: string, version: number, name: string | null = 'Canary Ada') => ({
  userId,
  name,
  email: name && 'ada@example.com',
  balance: 0,
  version,
  createdAt: '2026-12-01T00:00:00.000Z',
  updatedAt: '2026-12-01T00:00:00.000Z',
  deleted: false,
  erased: false,
});

describe('a user marked erased ahead of the erasure (markErased)', () => {
  it('is never written over with personal data by a writer that read the user before the mark', async () => {
    const userId = `marked-${Date.now()}`;
    await store.advance(detailOf(userId, 3), 0);
    // A rebuild folded the user before the mark, and a second invocation read the detail at 3.
    await store.markErased(userId);
    await store.restoreUser({ detail: detailOf(userId, 3), history: [] });
    expect(await store.advance(detailOf(userId, 4), 3)).toBe(false);
    expect(await store.getDetail(userId)).toMatchObject({ name: null, email: null, erased: true });
    // The erasure applied in order still moves it on.
    const tombstone = { ...detailOf(userId, 4, null), deleted: true, erased: true };
    expect(await store.advance(tombstone, 3)).toBe(true);
  });
});

describe('the read routes', () => {
  it('read the history as consistently as the detail they cut it against (a lagging replica would cut it short)', async () => {
    const client = testDocumentClient();
    const reads: unknown[] = [];
    client.middlewareStack.add(
      (next, context) => (args) => {
        if (['QueryCommand', 'GetItemCommand'].includes(context.commandName as string)) {
          reads.push((args.input as { ConsistentRead?: boolean }).ConsistentRead);
        }
        return next(args);
      },
      { step: 'initialize', name: 'watchReads' },
    );
    const watched = new DynamoReadModelStore(client, store.tables);
    await watched.listHistory('anyone', 10);
    await watched.getHistoryEntry('anyone', 1);
    await watched.getDetail('anyone');
    expect(reads).toEqual([true, true, true]);
  });
});

describe('an erasure told to a version that does not know the user yet (hideErased)', () => {
  it('leaves a placeholder: entries written there are rewritten, and what is applied later stays erased', async () => {
    const pending = new DynamoReadModelStore(testDocumentClient(), {
      ...store.tables,
      pendingErasuresIndex: 'PendingErasures',
    });
    const userId = `unknown-${Date.now()}`;
    // A build that failed half way wrote the user's entries, not its detail.
    await pending.putHistoryEntries([
      {
        userId,
        version: 1,
        eventType: 'USER_CREATED',
        payload: { name: 'Canary Ada', email: 'ada@example.com' },
        occurredAt: '2026-12-01T00:00:00.000Z',
        detailAfter: detailOf(userId, 1),
        erased: false,
      },
    ]);
    await pending.hideErased(userId);
    expect(await pending.getDetail(userId)).toMatchObject({ version: 0, erased: true, name: null });
    expect(await pending.eraseHistory(userId, Date.now() + 5000)).toBe(true);
    expect(JSON.stringify(await pending.listHistory(userId, 10))).not.toContain('Canary');
    // The user's creation applied later, from the placeholder at version 0: hidden all along.
    const created = { ...detailOf(userId, 1, null), erased: true };
    expect(await pending.advance(created, 0)).toBe(true);
    expect(await pending.getDetail(userId)).toMatchObject({ version: 1, name: null, erased: true });
  });

  it('re-erases the entries a restore wrote before its detail write failed', async () => {
    const userId = `restored-${Date.now()}`;
    await store.advance(detailOf(userId, 1), 0);
    await store.markErased(userId);
    await store.eraseHistory(userId, Date.now() + 5000);
    const client = testDocumentClient();
    throttleTable(client, store.tables.detail, ['PutItemCommand']);
    const failing = new DynamoReadModelStore(client, store.tables);
    const entry = {
      userId,
      version: 1,
      eventType: 'USER_CREATED' as const,
      payload: { name: 'Canary Ada', email: 'ada@example.com' },
      occurredAt: '2026-12-01T00:00:00.000Z',
      detailAfter: detailOf(userId, 1),
      erased: false,
    };
    // A rebuild that read the user before its erasure: its detail write is throttled.
    await expect(
      failing.restoreUser({ detail: detailOf(userId, 1), history: [entry] }),
    ).rejects.toThrow();
    expect(JSON.stringify(await store.listHistory(userId, 10))).not.toContain('Canary');
  });
});

describe("an erased user's rewrite kept pending for its receipt (rewriteHistory, endErasure)", () => {
  it('leaves the user pending with nothing left until it is ended, and never ends a round started since', async () => {
    const pending = new DynamoReadModelStore(testDocumentClient(), {
      ...store.tables,
      pendingErasuresIndex: 'PendingErasures',
    });
    const userId = `kept-${Date.now()}`;
    await pending.advance(detailOf(userId, 1), 0);
    // Longer than a page of the rewrite.
    await pending.putHistoryEntries(
      Array.from({ length: 150 }, (_, i) => ({
        userId,
        version: i + 1,
        eventType: 'USER_BALANCE' as const,
        payload: { delta: 1 },
        occurredAt: '2026-12-01T00:00:00.000Z',
        detailAfter: detailOf(userId, i + 1),
        erased: false,
      })),
    );
    await pending.markErased(userId);

    const rewrite = await pending.rewriteHistory(userId, Date.now() + 5000);
    expect(rewrite).toMatchObject({ userId, pending: { through: 150 } });
    expect(JSON.stringify(await pending.listHistory(userId, 1000))).not.toContain('Canary');
    expect(await pending.pendingErasures(1000)).toContain(userId);
    // Its record failed: the next pass finds nothing left, the same rewrite to end.
    expect(await pending.rewriteHistory(userId, Date.now() + 5000)).toEqual(rewrite);

    // Entries written again meanwhile start a new round: the rewrite before it ends nothing.
    await pending.eraseHistoryAgain(userId);
    await pending.endErasure(rewrite as FinishedRewrite);
    expect(await pending.pendingErasures(1000)).toContain(userId);
    const again = await pending.rewriteHistory(userId, Date.now() + 5000);
    await pending.endErasure(again as FinishedRewrite);
    expect(await pending.pendingErasures(1000)).not.toContain(userId);
    // Nothing pending: nothing to end.
    expect(await pending.rewriteHistory(userId, Date.now() + 5000)).toEqual({ userId });
  });
});
