import {
  createTestTables,
  deleteTestTables,
  testDocumentClient,
} from '../../../../test/support/integration';
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
