import { PutCommand } from '@aws-sdk/lib-dynamodb';
import {
  createTestTables,
  deleteTestTables,
  testDocumentClient,
  testEndpoint,
} from '../test/support/integration';
import { startLossyProxy } from './lossy-proxy';
import { detailWritesAnswered } from './read-model-writes';

describe('the probe of DynamoDB Local after a kill', () => {
  let tables: Record<'UserDetailTable', string>;
  beforeAll(async () => {
    tables = await createTestTables(['UserDetailTable']);
    await testDocumentClient().send(
      new PutCommand({ TableName: tables.UserDetailTable, Item: { UserID: 'u1', Version: 1 } }),
    );
  });
  afterAll(() => deleteTestTables(tables));

  it('says writes are answered when refusals come back, and writes nothing', async () => {
    expect(await detailWritesAnswered(testEndpoint(), tables.UserDetailTable, ['u1', 'u2'])).toBe(
      true,
    );
    const items = await testDocumentClient().send(
      new PutCommand({
        TableName: tables.UserDetailTable,
        Item: { UserID: 'u1', Version: 1 },
        ReturnValues: 'ALL_OLD',
      }),
    );
    expect(items.Attributes).toEqual({ UserID: 'u1', Version: 1 });
  });

  it('says they are not when a write stalls', async () => {
    const proxy = await startLossyProxy({
      port: 8190,
      targetPort: Number(new URL(testEndpoint()).port),
      loseShare: 0,
      stall: 'items',
    });
    try {
      expect(await detailWritesAnswered(proxy.endpoint, tables.UserDetailTable, ['u1'])).toBe(
        false,
      );
    } finally {
      await proxy.close();
    }
  }, 30_000);
});
