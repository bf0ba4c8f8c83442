import {
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import type { TableDefinition } from './definitions';
import { simulatedClients } from './simulated-clients';

const history: TableDefinition = {
  name: 'history',
  hashKey: { name: 'UserID', type: 'S' },
  rangeKey: { name: 'Seq', type: 'N' },
  indexes: [
    {
      name: 'pending',
      hashKey: { name: 'Erasure', type: 'S' },
      rangeKey: { name: 'UserID', type: 'S' },
      projection: { type: 'KEYS_ONLY' },
    },
    {
      name: 'byKind',
      hashKey: { name: 'Kind', type: 'S' },
      projection: { type: 'INCLUDE', nonKeyAttributes: ['Note'] },
    },
  ],
};

const withHistory = async (users: string[], perUser: number, extra = (_seq: number) => ({})) => {
  const clients = simulatedClients([history]);
  for (const user of users) {
    for (let seq = 1; seq <= perUser; seq++) {
      await clients.documents.send(
        new PutCommand({ TableName: 'history', Item: { UserID: user, Seq: seq, ...extra(seq) } }),
      );
    }
  }
  return clients;
};

const seqs = (items: Record<string, unknown>[] | undefined) => (items ?? []).map((i) => i.Seq);

describe('Query', () => {
  test('answers a partition in sort key order (numeric), forward or backward', async () => {
    const { documents } = await withHistory(['u1'], 12);
    const query = (ScanIndexForward: boolean) =>
      documents.send(
        new QueryCommand({
          TableName: 'history',
          KeyConditionExpression: 'UserID = :u',
          ExpressionAttributeValues: { ':u': 'u1' },
          ScanIndexForward,
        }),
      );
    expect(seqs((await query(true)).Items)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(seqs((await query(false)).Items)).toEqual([12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
  });

  test.each([
    ['#s = :a', [5]],
    ['#s < :a', [1, 2, 3, 4]],
    ['#s <= :a', [1, 2, 3, 4, 5]],
    ['#s > :a', [6, 7, 8]],
    ['#s >= :a', [5, 6, 7, 8]],
    ['#s BETWEEN :a AND :b', [5, 6, 7]],
    [':a < #s', [6, 7, 8]],
  ])('range condition %s', async (range, expected) => {
    const { documents } = await withHistory(['u0', 'u1', 'u2'], 8);
    const { Items } = await documents.send(
      new QueryCommand({
        TableName: 'history',
        KeyConditionExpression: `UserID = :u AND ${range}`,
        ExpressionAttributeNames: { '#s': 'Seq' },
        ExpressionAttributeValues: {
          ':u': 'u1',
          ':a': 5,
          ...(range.includes(':b') && { ':b': 7 }),
        },
      }),
    );
    expect(seqs(Items)).toEqual(expected);
  });

  test('begins_with on a string sort key', async () => {
    const feed: TableDefinition = {
      name: 'feed',
      hashKey: { name: 'Feed', type: 'S' },
      rangeKey: { name: 'Stamp', type: 'S' },
    };
    const { documents } = simulatedClients([feed]);
    for (const Stamp of ['2024-01-31', '2024-02-01', '2024-02-28', '2024-03-01', '2024-02']) {
      await documents.send(new PutCommand({ TableName: 'feed', Item: { Feed: 'f', Stamp } }));
    }
    const { Items } = await documents.send(
      new QueryCommand({
        TableName: 'feed',
        KeyConditionExpression: 'Feed = :f AND begins_with(Stamp, :month)',
        ExpressionAttributeValues: { ':f': 'f', ':month': '2024-02' },
        ScanIndexForward: false,
      }),
    );
    expect(Items?.map((i) => i.Stamp)).toEqual(['2024-02-28', '2024-02-01', '2024-02']);
  });

  test('Limit counts items read, before the filter; pages resume after LastEvaluatedKey', async () => {
    const { documents } = await withHistory(['u1'], 6, (seq) => ({ Even: seq % 2 === 0 }));
    const page = (ExclusiveStartKey?: Record<string, unknown>) =>
      documents.send(
        new QueryCommand({
          TableName: 'history',
          KeyConditionExpression: 'UserID = :u',
          FilterExpression: 'Even = :yes',
          ExpressionAttributeValues: { ':u': 'u1', ':yes': true },
          Limit: 3,
          ExclusiveStartKey,
        }),
      );
    const first = await page();
    expect([seqs(first.Items), first.Count, first.ScannedCount]).toEqual([[2], 1, 3]);
    expect(first.LastEvaluatedKey).toEqual({ UserID: 'u1', Seq: 3 });
    const second = await page(first.LastEvaluatedKey);
    expect(seqs(second.Items)).toEqual([4, 6]);
    // Read up to its Limit: a LastEvaluatedKey though nothing follows, as DynamoDB answers.
    const third = await page(second.LastEvaluatedKey);
    expect([third.Count, third.ScannedCount, third.LastEvaluatedKey]).toEqual([0, 0, undefined]);
  });

  test('a page stops once it has read 1 MB, the item crossing the line included', async () => {
    // Each item: UserID (6) + u1 (2) + Seq (3) + a one-digit number (2) + Pad (3) + 99,984.
    const { documents } = await withHistory(['u1'], 9, () => ({ Pad: 'p'.repeat(99_984) }));
    await documents.send(
      new PutCommand({
        TableName: 'history',
        Item: { UserID: 'u1', Seq: 10, Pad: 'p'.repeat(149_000) },
      }),
    );
    await documents.send(new PutCommand({ TableName: 'history', Item: { UserID: 'u1', Seq: 11 } }));
    const query = (ExclusiveStartKey?: Record<string, unknown>) =>
      documents.send(
        new QueryCommand({
          TableName: 'history',
          KeyConditionExpression: 'UserID = :u',
          ExpressionAttributeValues: { ':u': 'u1' },
          Select: 'COUNT',
          ExclusiveStartKey,
        }),
      );
    const first = await query();
    expect([first.Count, first.LastEvaluatedKey]).toEqual([10, { UserID: 'u1', Seq: 10 }]);
    const second = await query(first.LastEvaluatedKey);
    expect([second.Count, second.LastEvaluatedKey]).toEqual([1, undefined]);
  });

  test('a sparse index holds only the items with its key, with the keys projected', async () => {
    const { documents } = await withHistory(['u3', 'u1', 'u2'], 2, (seq) =>
      seq === 2 ? { Erasure: 'pending', Note: 'n' } : {},
    );
    const { Items } = await documents.send(
      new QueryCommand({
        TableName: 'history',
        IndexName: 'pending',
        KeyConditionExpression: 'Erasure = :p',
        ExpressionAttributeValues: { ':p': 'pending' },
      }),
    );
    expect(Items).toEqual(
      ['u1', 'u2', 'u3'].map((UserID) => ({ UserID, Seq: 2, Erasure: 'pending' })),
    );
  });

  test('index entries with one index key come in table key order; LastEvaluatedKey has both keys', async () => {
    const { documents } = await withHistory(['u2', 'u1'], 2, (seq) => ({
      Kind: 'k',
      Note: seq,
      Extra: 1,
    }));
    const query = (ExclusiveStartKey?: Record<string, unknown>) =>
      documents.send(
        new QueryCommand({
          TableName: 'history',
          IndexName: 'byKind',
          KeyConditionExpression: 'Kind = :k',
          ExpressionAttributeValues: { ':k': 'k' },
          Limit: 3,
          ExclusiveStartKey,
        }),
      );
    const first = await query();
    expect(first.Items).toEqual([
      { UserID: 'u1', Seq: 1, Kind: 'k', Note: 1 },
      { UserID: 'u1', Seq: 2, Kind: 'k', Note: 2 },
      { UserID: 'u2', Seq: 1, Kind: 'k', Note: 1 },
    ]);
    expect(first.LastEvaluatedKey).toEqual({ UserID: 'u2', Seq: 1, Kind: 'k' });
    expect((await query(first.LastEvaluatedKey)).Items).toEqual([
      { UserID: 'u2', Seq: 2, Kind: 'k', Note: 2 },
    ]);
  });

  test.each([
    [
      { IndexName: 'pending', ConsistentRead: true },
      'Consistent reads are not supported on global secondary indexes',
    ],
    [
      { FilterExpression: 'Seq > :u' },
      'Filter Expression can only contain non-primary key attributes: Primary key attribute: Seq',
    ],
    [
      { KeyConditionExpression: 'UserID = :u OR UserID = :u' },
      'Invalid operator used in KeyConditionExpression: OR',
    ],
    [
      { KeyConditionExpression: 'UserID <> :u' },
      'Invalid operator used in KeyConditionExpression: <>',
    ],
    [{ KeyConditionExpression: 'Seq > :u' }, 'Query condition missed key schema element'],
    [
      { KeyConditionExpression: 'UserID = :u AND Seq > :u' },
      'Condition parameter type does not match schema type',
    ],
    [
      { Select: 'COUNT', ProjectionExpression: 'Seq' },
      'Cannot specify the ProjectionExpression when choosing to get only the Count',
    ],
    [{ Limit: 0 }, "Value '0' at 'limit' failed to satisfy constraint"],
    [
      { ExclusiveStartKey: { UserID: 'u2', Seq: 1 } },
      'The provided starting key does not match the range key predicate',
    ],
    [
      { IndexName: 'byKind', KeyConditionExpression: 'Kind = :u', ProjectionExpression: 'Extra' },
      'Global secondary index byKind does not project [Extra]',
    ],
    [
      { IndexName: 'byKind', KeyConditionExpression: 'Kind = :u', Select: 'ALL_ATTRIBUTES' },
      'Select type ALL_ATTRIBUTES is not supported',
    ],
    [{ IndexName: 'nope' }, 'The table does not have the specified index: nope'],
  ])('refuses %j: %s', async (change, message) => {
    const { documents } = await withHistory(['u1'], 1);
    const input = {
      TableName: 'history',
      KeyConditionExpression: 'UserID = :u',
      ExpressionAttributeValues: { ':u': 'u1' },
      ...change,
    } as QueryCommandInput;
    await expect(documents.send(new QueryCommand(input))).rejects.toThrow(message);
  });
});

describe('Scan', () => {
  const scanAll = async (
    documents: ReturnType<typeof simulatedClients>['documents'],
    input: Record<string, unknown> = {},
  ) => {
    const items: Record<string, unknown>[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await documents.send(
        new ScanCommand({ TableName: 'history', ...input, ExclusiveStartKey }),
      );
      items.push(...(page.Items ?? []));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return items;
  };

  test("returns each partition's items together and in sort key order, page after page", async () => {
    const users = ['ann', 'bob', 'cy', 'dee', 'eve', 'fay'];
    const { documents } = await withHistory(users, 4);
    const items = await scanAll(documents, { Limit: 3 });
    expect(items).toHaveLength(24);
    const runs = items.reduce<{ user: unknown; seqs: unknown[] }[]>((found, item) => {
      const last = found.at(-1);
      if (last && last.user === item.UserID) last.seqs.push(item.Seq);
      else found.push({ user: item.UserID, seqs: [item.Seq] });
      return found;
    }, []);
    expect(runs.map((run) => run.seqs)).toEqual(users.map(() => [1, 2, 3, 4]));
    expect(runs.map((run) => run.user).sort()).toEqual(users);
    // The order of partitions is a hash's, the same every time.
    expect(await scanAll(documents)).toEqual(items);
  });

  test('parallel segments split the partitions between them, every item in exactly one', async () => {
    const users = Array.from({ length: 40 }, (_, i) => `user-${i}`);
    const { documents } = await withHistory(users, 2);
    const segments = await Promise.all(
      [0, 1, 2, 3].map((Segment) => scanAll(documents, { Segment, TotalSegments: 4, Limit: 5 })),
    );
    expect(segments.every((segment) => segment.length > 0)).toBe(true);
    const seen = segments.flat().map((item) => `${item.UserID}/${item.Seq}`);
    expect(seen.sort()).toEqual(users.flatMap((user) => [`${user}/1`, `${user}/2`]).sort());
  });

  test('filters, projects and counts', async () => {
    const { documents } = await withHistory(['a', 'b'], 3);
    const { Items, Count, ScannedCount } = await documents.send(
      new ScanCommand({
        TableName: 'history',
        FilterExpression: 'Seq >= :two',
        ProjectionExpression: 'Seq',
        ExpressionAttributeValues: { ':two': 2 },
      }),
    );
    expect([Items?.length, Count, ScannedCount]).toEqual([4, 4, 6]);
    expect(Items?.every((item) => Object.keys(item).join() === 'Seq')).toBe(true);
  });

  test.each([
    [{ Segment: 0 }, 'If segment is specified, total segment must also be specified'],
    [{ Segment: 2, TotalSegments: 2 }, "Value '2' at 'segment'"],
    [{ IndexName: 'byKind', ConsistentRead: true }, 'Consistent reads are not supported'],
    [
      { IndexName: 'byKind', FilterExpression: 'attribute_exists(Extra)' },
      'does not project one or more filter attributes: [Extra]',
    ],
  ])('refuses %j: %s', async (input, message) => {
    const { documents } = await withHistory(['a'], 1);
    await expect(
      documents.send(new ScanCommand({ TableName: 'history', ...input })),
    ).rejects.toThrow(message);
  });
});
