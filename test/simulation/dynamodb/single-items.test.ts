import { ConditionalCheckFailedException, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { simulatedClients } from './simulated-clients';

const events = {
  name: 'events',
  hashKey: { name: 'AggregateID', type: 'S' as const },
  rangeKey: { name: 'Seq', type: 'N' as const },
};
const key = { AggregateID: 'u1', Seq: 1 };

describe('GetItem, PutItem, UpdateItem, DeleteItem', () => {
  test('a put item is read back whole, or projected (nested paths, list elements)', async () => {
    const { documents } = simulatedClients([events]);
    const item = { ...key, Info: { city: 'Oslo', zip: '0150' }, Entries: ['a', 'b', 'c'], n: 1.5 };
    await documents.send(new PutCommand({ TableName: 'events', Item: item }));
    const whole = await documents.send(new GetCommand({ TableName: 'events', Key: key }));
    expect(whole.Item).toEqual(item);
    const projected = await documents.send(
      new GetCommand({
        TableName: 'events',
        Key: key,
        ProjectionExpression: '#info.city, Entries[2], Entries[0], Nope',
        ExpressionAttributeNames: { '#info': 'Info' },
      }),
    );
    expect(projected.Item).toEqual({ Info: { city: 'Oslo' }, Entries: ['a', 'c'] });
    const absent = await documents.send(
      new GetCommand({ TableName: 'events', Key: { ...key, Seq: 2 } }),
    );
    expect(absent.Item).toBeUndefined();
  });

  test('ReturnValues: ALL_OLD on put and delete; every kind on update', async () => {
    const { documents } = simulatedClients([events]);
    const put = await documents.send(
      new PutCommand({ TableName: 'events', Item: { ...key, v: 1 }, ReturnValues: 'ALL_OLD' }),
    );
    expect(put.Attributes).toBeUndefined();
    const update = (ReturnValues: 'ALL_OLD' | 'ALL_NEW' | 'UPDATED_OLD' | 'UPDATED_NEW') =>
      documents.send(
        new UpdateCommand({
          TableName: 'events',
          Key: key,
          UpdateExpression: 'SET v = v + :one, Info.city = if_not_exists(Info.city, :c)',
          ExpressionAttributeValues: { ':one': 1, ':c': 'Oslo' },
          ReturnValues,
        }),
      );
    await documents.send(
      new UpdateCommand({
        TableName: 'events',
        Key: key,
        UpdateExpression: 'SET Info = :empty',
        ExpressionAttributeValues: { ':empty': { other: true } },
      }),
    );
    expect((await update('UPDATED_OLD')).Attributes).toEqual({ v: 1 });
    expect((await update('UPDATED_NEW')).Attributes).toEqual({ v: 3, Info: { city: 'Oslo' } });
    expect((await update('ALL_OLD')).Attributes).toEqual({
      ...key,
      v: 3,
      Info: { other: true, city: 'Oslo' },
    });
    expect((await update('ALL_NEW')).Attributes).toEqual({
      ...key,
      v: 5,
      Info: { other: true, city: 'Oslo' },
    });
    const deleted = await documents.send(
      new DeleteCommand({ TableName: 'events', Key: key, ReturnValues: 'ALL_OLD' }),
    );
    expect(deleted.Attributes).toMatchObject({ v: 5 });
    await expect(
      documents.send(new PutCommand({ TableName: 'events', Item: key, ReturnValues: 'ALL_NEW' })),
    ).rejects.toThrow('Return values set to invalid value');
  });

  test('a failed condition throws ConditionalCheckFailedException, with the item if asked', async () => {
    const { documents } = simulatedClients([events]);
    await documents.send(new PutCommand({ TableName: 'events', Item: { ...key, v: 1 } }));
    const failure = await documents
      .send(
        new PutCommand({
          TableName: 'events',
          Item: key,
          ConditionExpression: 'attribute_not_exists(AggregateID)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      )
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ConditionalCheckFailedException);
    expect((failure as ConditionalCheckFailedException).Item).toEqual({
      AggregateID: { S: 'u1' },
      Seq: { N: '1' },
      v: { N: '1' },
    });
    const withoutItem = await documents
      .send(
        new DeleteCommand({
          TableName: 'events',
          Key: { ...key, Seq: 9 },
          ConditionExpression: 'attribute_exists(AggregateID)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      )
      .catch((error: unknown) => error);
    expect(withoutItem).toBeInstanceOf(ConditionalCheckFailedException);
    expect((withoutItem as ConditionalCheckFailedException).Item).toBeUndefined();
    const { Item } = await documents.send(new GetCommand({ TableName: 'events', Key: key }));
    expect(Item).toEqual({ ...key, v: 1 });
  });

  test.each([
    [{ AggregateID: 'u1' }, 'One of the required keys was not given a value'],
    [{ AggregateID: 'u1', Seq: 1, extra: 1 }, 'The number of conditions on the keys is invalid'],
    [{ AggregateID: 'u1', Seq: '1' }, 'The provided key element does not match the schema'],
    [{ AggregateID: '', Seq: 1 }, 'cannot contain an empty string value. Key: AggregateID'],
  ])('a Key %j is refused: %s', async (badKey, message) => {
    const { documents } = simulatedClients([events]);
    await expect(
      documents.send(new GetCommand({ TableName: 'events', Key: badKey })),
    ).rejects.toThrow(message);
  });

  test.each([
    [{ AggregateID: 'u1' }, 'Missing the key Seq in the item'],
    [{ AggregateID: 'u1', Seq: 'one' }, 'Type mismatch for key Seq expected: N actual: S'],
    [{ ...key, big: 'x'.repeat(400 * 1024) }, 'Item size has exceeded the maximum allowed size'],
  ])('an item %# is refused: %s', async (item, message) => {
    const { documents } = simulatedClients([events]);
    await expect(
      documents.send(new PutCommand({ TableName: 'events', Item: item })),
    ).rejects.toThrow(message);
  });

  test('values are checked as DynamoDB checks them', async () => {
    const { client } = simulatedClients([events]);
    const put = (value: object) =>
      client.send(
        new PutItemCommand({
          TableName: 'events',
          Item: { AggregateID: { S: 'u1' }, Seq: { N: '1' }, value: value as never },
        }),
      );
    await expect(put({ SS: [] })).rejects.toThrow('An string set  may not be empty');
    await expect(put({ NS: ['1', '1.0'] })).rejects.toThrow('contains duplicates');
    await expect(put({ N: '1'.repeat(39) })).rejects.toThrow('38 significant digits');
    await expect(put({ NULL: false })).rejects.toThrow('Null attribute value types');
    await expect(put({ S: 'x', N: '1' })).rejects.toThrow('more than one datatypes');
  });

  test('an item of exactly 400 KB is stored', async () => {
    const { documents } = simulatedClients([events]);
    // Names and values count: AggregateID (11) + u1 (2) + Seq (3) + 1 (2) + d (1).
    const item = { ...key, d: 'x'.repeat(400 * 1024 - 19) };
    await documents.send(new PutCommand({ TableName: 'events', Item: item }));
    await expect(
      documents.send(new PutCommand({ TableName: 'events', Item: { ...item, d: `${item.d}x` } })),
    ).rejects.toThrow('Item size has exceeded');
  });

  test('the pre-expression parameters are refused, not answered wrongly', () => {
    const { emulator } = simulatedClients([events]);
    expect(() =>
      emulator.execute('PutItem', {
        TableName: 'events',
        Item: { AggregateID: { S: 'u1' }, Seq: { N: '1' } },
        Expected: { AggregateID: { Exists: false } },
      }),
    ).toThrow('Expected is not emulated');
  });

  test('an unknown table is ResourceNotFoundException', async () => {
    const { documents } = simulatedClients([events]);
    await expect(
      documents.send(new GetCommand({ TableName: 'elsewhere', Key: key })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});
