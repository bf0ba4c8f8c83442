import { BatchGetCommand, BatchWriteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { TableDefinition } from './definitions';
import { simulatedClients } from './simulated-clients';

const tables: TableDefinition[] = [
  { name: 'users', hashKey: { name: 'UserID', type: 'S' } },
  { name: 'keys', hashKey: { name: 'UserID', type: 'S' } },
];

describe('BatchWriteItem and BatchGetItem', () => {
  test('puts and deletes across tables, then reads them back (projected if asked)', async () => {
    const { documents } = simulatedClients(tables);
    await documents.send(new PutCommand({ TableName: 'users', Item: { UserID: 'gone', v: 0 } }));
    const written = await documents.send(
      new BatchWriteCommand({
        RequestItems: {
          users: [
            { PutRequest: { Item: { UserID: 'a', v: 1 } } },
            { PutRequest: { Item: { UserID: 'b', v: 2 } } },
            { DeleteRequest: { Key: { UserID: 'gone' } } },
          ],
          keys: [{ PutRequest: { Item: { UserID: 'a', k: 'x' } } }],
        },
      }),
    );
    expect(written.UnprocessedItems).toEqual({});
    const read = await documents.send(
      new BatchGetCommand({
        RequestItems: {
          users: {
            Keys: [{ UserID: 'a' }, { UserID: 'gone' }, { UserID: 'b' }],
            ProjectionExpression: 'v',
          },
          keys: { Keys: [{ UserID: 'a' }], ConsistentRead: true },
        },
      }),
    );
    expect(read.Responses).toEqual({
      users: [{ v: 1 }, { v: 2 }],
      keys: [{ UserID: 'a', k: 'x' }],
    });
    expect(read.UnprocessedKeys).toEqual({});
  });

  test.each([
    [
      'more than 25 requests',
      Array.from({ length: 26 }, (_, i) => ({ PutRequest: { Item: { UserID: `u${i}` } } })),
      'Too many items requested for the BatchWriteItem call',
    ],
    [
      'one item twice',
      [{ PutRequest: { Item: { UserID: 'a' } } }, { DeleteRequest: { Key: { UserID: 'a' } } }],
      'Provided list of item keys contains duplicates',
    ],
    [
      'a bad item',
      [{ PutRequest: { Item: { UserID: 'a' } } }, { PutRequest: { Item: { UserID: 1 } } }],
      'Type mismatch for key UserID',
    ],
  ])('a write request with %s is refused whole', async (_case, requests, message) => {
    const { documents } = simulatedClients(tables);
    await expect(
      documents.send(new BatchWriteCommand({ RequestItems: { users: requests } })),
    ).rejects.toThrow(message);
    const { Item } = await documents.send(
      new GetCommand({ TableName: 'users', Key: { UserID: 'a' } }),
    );
    expect(Item).toBeUndefined();
  });

  test.each([
    [
      'more than 100 keys',
      Array.from({ length: 101 }, (_, i) => ({ UserID: `u${i}` })),
      'Too many items requested for the BatchGetItem call',
    ],
    [
      'one key twice',
      [{ UserID: 'a' }, { UserID: 'a' }],
      'Provided list of item keys contains duplicates',
    ],
  ])('a get request with %s is refused', async (_case, Keys, message) => {
    const { documents } = simulatedClients(tables);
    await expect(
      documents.send(new BatchGetCommand({ RequestItems: { users: { Keys } } })),
    ).rejects.toThrow(message);
  });

  test('a batch read that is not consistent may be answered as of an earlier commit', async () => {
    const { emulator } = simulatedClients(tables);
    emulator.execute('PutItem', { TableName: 'users', Item: { UserID: { S: 'a' } } });
    const read = (ConsistentRead: boolean) =>
      emulator.execute(
        'BatchGetItem',
        { RequestItems: { users: { Keys: [{ UserID: { S: 'a' } }], ConsistentRead } } },
        { asOf: 0 },
      );
    expect(read(false)).toEqual({ Responses: { users: [] }, UnprocessedKeys: {} });
    expect(read(true)).toEqual({
      Responses: { users: [{ UserID: { S: 'a' } }] },
      UnprocessedKeys: {},
    });
  });
});
