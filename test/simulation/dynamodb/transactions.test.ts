import {
  TransactionCanceledException,
  TransactionConflictException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  GetCommand,
  PutCommand,
  TransactGetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { TableDefinition } from './definitions';
import { simulatedClients } from './simulated-clients';

const tables: TableDefinition[] = [
  { name: 'events', hashKey: { name: 'UserID', type: 'S' }, rangeKey: { name: 'Seq', type: 'N' } },
  { name: 'keys', hashKey: { name: 'UserID', type: 'S' } },
];

const appendEvent = (UserID: string, Seq: number) => ({
  Put: {
    TableName: 'events',
    Item: { UserID, Seq },
    ConditionExpression: 'attribute_not_exists(UserID)',
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
  },
});

const storeKey = (UserID: string) => ({
  Put: {
    TableName: 'keys',
    Item: { UserID, Sealed: 'k' },
    ConditionExpression: 'attribute_not_exists(UserID)',
  },
});

const cancelled = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(TransactionCanceledException);
  return (error as TransactionCanceledException).CancellationReasons;
};

describe('TransactWriteItems and TransactGetItems', () => {
  test('applies every item, or none with one reason per item', async () => {
    const { documents, emulator } = simulatedClients(tables);
    await documents.send(
      new TransactWriteCommand({ TransactItems: [appendEvent('u1', 1), storeKey('u1')] }),
    );
    const before = emulator.currentIndex();
    const reasons = await cancelled(
      documents.send(
        new TransactWriteCommand({
          TransactItems: [
            storeKey('u2'),
            appendEvent('u1', 1),
            {
              ConditionCheck: {
                TableName: 'keys',
                Key: { UserID: 'u1' },
                ConditionExpression: 'Sealed = :k',
                ExpressionAttributeValues: { ':k': 'k' },
              },
            },
          ],
        }),
      ),
    );
    expect(reasons).toEqual([
      { Code: 'None' },
      {
        Code: 'ConditionalCheckFailed',
        Message: 'The conditional request failed',
        Item: { UserID: { S: 'u1' }, Seq: { N: '1' } },
      },
      { Code: 'None' },
    ]);
    expect(emulator.currentIndex()).toBe(before);
    const { Item } = await documents.send(
      new GetCommand({ TableName: 'keys', Key: { UserID: 'u2' } }),
    );
    expect(Item).toBeUndefined();
  });

  test('an update that cannot apply to its item cancels with reason ValidationError', async () => {
    const { documents } = simulatedClients(tables);
    const reasons = await cancelled(
      documents.send(
        new TransactWriteCommand({
          TransactItems: [
            storeKey('u1'),
            {
              Update: {
                TableName: 'events',
                Key: { UserID: 'u1', Seq: 1 },
                UpdateExpression: 'SET n = n + :one',
                ExpressionAttributeValues: { ':one': 1 },
              },
            },
          ],
        }),
      ),
    );
    expect(reasons?.map((reason) => reason.Code)).toEqual(['None', 'ValidationError']);
  });

  test("an item's own invalid key or key update cancels, with reason ValidationError", async () => {
    const { client } = simulatedClients(tables);
    const reasons = await cancelled(
      client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Delete: { TableName: 'keys', Key: { UserID: { N: '1' } } } },
            {
              Update: {
                TableName: 'keys',
                Key: { UserID: { S: 'u1' } },
                UpdateExpression: 'SET UserID = :other',
                ExpressionAttributeValues: { ':other': { S: 'u2' } },
              },
            },
            {
              ConditionCheck: {
                TableName: 'keys',
                Key: { UserID: { S: 'u3' } },
                ConditionExpression: 'attribute_not_exists(UserID)',
              },
            },
          ],
        }),
      ),
    );
    expect(reasons).toEqual([
      { Code: 'ValidationError', Message: 'The provided key element does not match the schema' },
      {
        Code: 'ValidationError',
        Message:
          'One or more parameter values were invalid: Cannot update attribute UserID. This attribute is part of the key',
      },
      { Code: 'None' },
    ]);
  });

  test.each([
    [
      'two actions on one item',
      [appendEvent('u1', 1), { Delete: { TableName: 'events', Key: { UserID: 'u1', Seq: 1 } } }],
      'Transaction request cannot include multiple operations on one item',
    ],
    [
      'more than 100 items',
      Array.from({ length: 101 }, (_, i) => storeKey(`u${i}`)),
      'length less than or equal to 100',
    ],
    [
      'a ConditionCheck without a condition',
      [{ ConditionCheck: { TableName: 'keys', Key: { UserID: 'u1' } } }],
      'ConditionExpression',
    ],
  ])('refuses %s', async (_case, TransactItems, message) => {
    const { documents } = simulatedClients(tables);
    await expect(
      documents.send(new TransactWriteCommand({ TransactItems: TransactItems as never })),
    ).rejects.toThrow(message);
  });

  test('an item held by a transaction in flight: writes conflict, transactions are cancelled, reads go on', async () => {
    const { documents, emulator } = simulatedClients(tables);
    await documents.send(new PutCommand({ TableName: 'keys', Item: { UserID: 'u1', v: 0 } }));
    const held = emulator.beginTransaction({
      TransactItems: [
        {
          Update: {
            TableName: 'keys',
            Key: { UserID: { S: 'u1' } },
            UpdateExpression: 'SET v = :one',
            ExpressionAttributeValues: { ':one': { N: '1' } },
          },
        },
      ],
    });
    await expect(
      documents.send(
        new UpdateCommand({
          TableName: 'keys',
          Key: { UserID: 'u1' },
          UpdateExpression: 'SET v = :two',
          ExpressionAttributeValues: { ':two': 2 },
        }),
      ),
    ).rejects.toBeInstanceOf(TransactionConflictException);
    await expect(
      documents.send(
        new BatchWriteCommand({
          RequestItems: { keys: [{ DeleteRequest: { Key: { UserID: 'u1' } } }] },
        }),
      ),
    ).rejects.toBeInstanceOf(TransactionConflictException);
    const reasons = await cancelled(
      documents.send(new TransactWriteCommand({ TransactItems: [storeKey('u2'), storeKey('u1')] })),
    );
    expect(reasons).toEqual([
      { Code: 'None' },
      { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' },
    ]);
    const readReasons = await cancelled(
      documents.send(
        new TransactGetCommand({
          TransactItems: [{ Get: { TableName: 'keys', Key: { UserID: 'u1' } } }],
        }),
      ),
    );
    expect(readReasons?.map((reason) => reason.Code)).toEqual(['TransactionConflict']);
    const { Item } = await documents.send(
      new GetCommand({ TableName: 'keys', Key: { UserID: 'u1' } }),
    );
    expect(Item).toEqual({ UserID: 'u1', v: 0 });

    expect(emulator.commitTransaction(held)).toEqual({});
    expect(() => emulator.commitTransaction(held)).toThrow('already committed');
    const after = await documents.send(
      new GetCommand({ TableName: 'keys', Key: { UserID: 'u1' } }),
    );
    expect(after.Item).toEqual({ UserID: 'u1', v: 1 });
    await documents.send(new TransactWriteCommand({ TransactItems: [storeKey('u2')] }));
  });

  test('a ClientRequestToken repeated within 10 minutes succeeds without applying again', () => {
    const { emulator, clock } = simulatedClients(tables);
    const increment = (ClientRequestToken: string, by = '1') => ({
      ClientRequestToken,
      TransactItems: [
        {
          Update: {
            TableName: 'keys',
            Key: { UserID: { S: 'u1' } },
            UpdateExpression: 'ADD n :by',
            ExpressionAttributeValues: { ':by': { N: by } },
          },
        },
      ],
    });
    const count = () =>
      (
        emulator.execute('GetItem', { TableName: 'keys', Key: { UserID: { S: 'u1' } } }) as {
          Item: { n: { N: string } };
        }
      ).Item.n.N;
    emulator.execute('TransactWriteItems', increment('t1'));
    emulator.execute('TransactWriteItems', increment('t1'));
    expect(count()).toBe('1');
    expect(() => emulator.execute('TransactWriteItems', increment('t1', '2'))).toThrow(
      expect.objectContaining({ name: 'IdempotentParameterMismatchException' }),
    );
    const inFlight = emulator.beginTransaction(increment('t2'));
    expect(() => emulator.beginTransaction(increment('t2'))).toThrow(
      expect.objectContaining({ name: 'TransactionInProgressException' }),
    );
    emulator.commitTransaction(inFlight);
    clock.now += 10 * 60 * 1000 + 1;
    emulator.execute('TransactWriteItems', increment('t1'));
    expect(count()).toBe('3');
  });

  test('TransactGetItems reads every item at once, projected if asked', async () => {
    const { documents } = simulatedClients(tables);
    await documents.send(
      new TransactWriteCommand({ TransactItems: [appendEvent('u1', 1), storeKey('u1')] }),
    );
    const { Responses } = await documents.send(
      new TransactGetCommand({
        TransactItems: [
          { Get: { TableName: 'keys', Key: { UserID: 'u1' }, ProjectionExpression: 'Sealed' } },
          { Get: { TableName: 'events', Key: { UserID: 'u1', Seq: 2 } } },
          { Get: { TableName: 'events', Key: { UserID: 'u1', Seq: 1 } } },
        ],
      }),
    );
    expect(Responses).toEqual([{ Item: { Sealed: 'k' } }, {}, { Item: { UserID: 'u1', Seq: 1 } }]);
  });
});
