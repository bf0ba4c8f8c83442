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
