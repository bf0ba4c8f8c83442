import type { TableDefinition } from './definitions';
import { SimulatedDynamoDB } from './simulated-dynamodb';

const detail: TableDefinition = {
  name: 'detail',
  hashKey: { name: 'UserID', type: 'S' },
  indexes: [
    { name: 'listed', hashKey: { name: 'Listed', type: 'S' }, projection: { type: 'ALL' } },
  ],
};

const setUp = () => {
  const db = new SimulatedDynamoDB([detail], { now: () => 0 });
  const put = (UserID: string, Version: number, listed = true) =>
    db.execute('PutItem', {
      TableName: 'detail',
      Item: {
        UserID: { S: UserID },
        Version: { N: String(Version) },
        ...(listed && { Listed: { S: 'all' } }),
      },
    });
  const versionOf = (UserID: string, read: { asOf?: number; ConsistentRead?: boolean } = {}) => {
    const { Item } = db.execute(
      'GetItem',
      { TableName: 'detail', Key: { UserID: { S: UserID } }, ConsistentRead: read.ConsistentRead },
      { asOf: read.asOf },
    ) as { Item?: { Version: { N: string } } };
    return Item?.Version.N;
  };
  const listed = (asOf?: number) =>
    (
      db.execute(
        'Query',
        {
          TableName: 'detail',
          IndexName: 'listed',
          KeyConditionExpression: 'Listed = :all',
          ExpressionAttributeValues: { ':all': { S: 'all' } },
        },
        { asOf },
      ) as { Items: { UserID: { S: string } }[] }
    ).Items.map((item) => item.UserID.S);
  return { db, put, versionOf, listed };
};

describe('commit indexes and reads as of an earlier commit', () => {
  test('every write that changes something commits under the next index; others commit nothing', () => {
    const { db, put } = setUp();
    expect(db.currentIndex()).toBe(0);
    put('u1', 1);
    put('u1', 1);
    db.execute('DeleteItem', { TableName: 'detail', Key: { UserID: { S: 'nobody' } } });
    expect(db.currentIndex()).toBe(1);
    db.execute('TransactWriteItems', {
      TransactItems: [
        { Put: { TableName: 'detail', Item: { UserID: { S: 'u2' } } } },
        { Put: { TableName: 'detail', Item: { UserID: { S: 'u3' } } } },
      ],
    });
    expect(db.currentIndex()).toBe(2);
  });

  test('an eventually consistent read sees the state as of the commit asked; a strong one the latest', () => {
    const { db, put, versionOf } = setUp();
    put('u1', 1);
    const first = db.currentIndex();
    put('u1', 2);
    db.execute('DeleteItem', { TableName: 'detail', Key: { UserID: { S: 'u1' } } });
    expect(versionOf('u1', { asOf: 0 })).toBeUndefined();
    expect(versionOf('u1', { asOf: first })).toBe('1');
    expect(versionOf('u1', { asOf: first + 1 })).toBe('2');
    expect(versionOf('u1')).toBeUndefined();
    expect(versionOf('u1', { asOf: first, ConsistentRead: true })).toBeUndefined();
  });

  test('an index lags like any eventually consistent read: items come, move and go as of then', () => {
    const { db, put, listed } = setUp();
    put('u1', 1);
    put('u2', 1);
    const both = db.currentIndex();
    put('u1', 2, false);
    expect(listed()).toEqual(['u2']);
    expect(listed(both)).toEqual(['u1', 'u2']);
    expect(listed(0)).toEqual([]);
  });

  test('writes always meet the latest state', () => {
    const { db, put } = setUp();
    put('u1', 1);
    put('u1', 2);
    expect(() =>
      db.execute(
        'PutItem',
        {
          TableName: 'detail',
          Item: { UserID: { S: 'u1' }, Version: { N: '3' } },
          ConditionExpression: 'Version = :two',
          ExpressionAttributeValues: { ':two': { N: '2' } },
        },
        { asOf: 1 },
      ),
    ).not.toThrow();
  });

  test('forgetBefore drops what older reads would need; reads before it are refused', () => {
    const { db, put, versionOf, listed } = setUp();
    put('u1', 1);
    put('u1', 2);
    put('u2', 1);
    db.execute('DeleteItem', { TableName: 'detail', Key: { UserID: { S: 'u2' } } });
    db.forgetBefore(3);
    expect(versionOf('u1', { asOf: 3 })).toBe('2');
    expect(versionOf('u2', { asOf: 3 })).toBe('1');
    expect(versionOf('u2', { asOf: 4 })).toBeUndefined();
    expect(listed(3)).toEqual(['u1', 'u2']);
    expect(() => versionOf('u1', { asOf: 2 })).toThrow('Cannot read as of commit 2');
    db.forgetBefore(4);
    expect(listed(4)).toEqual(['u1']);
    expect(versionOf('u2', { asOf: 4 })).toBeUndefined();
    expect(() => versionOf('u1', { asOf: 5 })).toThrow('Cannot read as of commit 5');
  });
});
