import { writeItems } from '../../../../bench/fixtures';
import {
  createTestTables,
  deleteTestTables,
  testDocumentClient,
} from '../../../../test/support/integration';
import { DynamoUserEvents } from './dynamo-user-events';

let tables: { EventsTable: string };
beforeAll(async () => {
  tables = await createTestTables(['EventsTable']);
});
afterAll(() => deleteTestTables(tables));

describe("a user's whole history from the event store", () => {
  it('is read to its end when a page of 1,000 items passes 1 MB and comes back short', async () => {
    // 1,200 items of about 2 KB: DynamoDB stops each page at 1 MB, about 500 items.
    const userId = 'long-items';
    const items = Array.from({ length: 1200 }, (_, i) => ({
      AggregateID: userId,
      Sequence: i + 1,
      Padding: 'x'.repeat(2000),
    }));
    await writeItems(testDocumentClient(), tables.EventsTable, items);

    const history = await new DynamoUserEvents(testDocumentClient(), tables.EventsTable).history(
      userId,
    );

    expect(history.map((item) => item.Sequence)).toEqual(items.map((item) => item.Sequence));
  }, 60_000);
});
