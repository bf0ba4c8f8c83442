import {
  DeleteCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { StreamViewType, TableDefinition } from './definitions';
import { simulatedClients } from './simulated-clients';

const tableWith = (stream: StreamViewType): TableDefinition => ({
  name: 'events',
  hashKey: { name: 'UserID', type: 'S' },
  rangeKey: { name: 'Seq', type: 'N' },
  stream,
});

const images = (record: DynamoDBRecord) => ({
  event: record.eventName,
  keys: unmarshall(record.dynamodb?.Keys as never),
  ...(record.dynamodb?.OldImage && { old: unmarshall(record.dynamodb.OldImage as never) }),
  ...(record.dynamodb?.NewImage && { new: unmarshall(record.dynamodb.NewImage as never) }),
});

const story = async (stream: StreamViewType) => {
  const clients = simulatedClients([
    tableWith(stream),
    { name: 'quiet', hashKey: { name: 'id', type: 'S' } },
  ]);
  const { documents } = clients;
  const key = { UserID: 'u1', Seq: 1 };
  await documents.send(new PutCommand({ TableName: 'events', Item: { ...key, v: 1 } }));
  await documents.send(new PutCommand({ TableName: 'events', Item: { ...key, v: 1 } }));
  await documents.send(
    new UpdateCommand({
      TableName: 'events',
      Key: key,
      UpdateExpression: 'SET v = :two',
      ExpressionAttributeValues: { ':two': 2 },
    }),
  );
  await documents.send(new DeleteCommand({ TableName: 'events', Key: key }));
  await documents.send(new DeleteCommand({ TableName: 'events', Key: key }));
  await documents.send(new PutCommand({ TableName: 'quiet', Item: { id: 'x' } }));
  return clients;
};

describe('streams', () => {
  test('one record per write that changed an item, none for writes that changed nothing', async () => {
    const { emulator } = await story('NEW_AND_OLD_IMAGES');
    const records = emulator.streamRecords('events');
    expect(records.map(images)).toEqual([
      { event: 'INSERT', keys: { UserID: 'u1', Seq: 1 }, new: { UserID: 'u1', Seq: 1, v: 1 } },
      {
        event: 'MODIFY',
        keys: { UserID: 'u1', Seq: 1 },
        old: { UserID: 'u1', Seq: 1, v: 1 },
        new: { UserID: 'u1', Seq: 1, v: 2 },
      },
      { event: 'REMOVE', keys: { UserID: 'u1', Seq: 1 }, old: { UserID: 'u1', Seq: 1, v: 2 } },
    ]);
    expect(emulator.streamRecords('quiet')).toEqual([]);
  });

  test.each([
    ['NEW_IMAGE', ['new', 'new', undefined]],
    ['OLD_IMAGE', [undefined, 'old', 'old']],
    ['KEYS_ONLY', [undefined, undefined, undefined]],
  ] as const)('%s records carry the images of their view', async (view, carried) => {
    const { emulator } = await story(view);
    const records = emulator.streamRecords('events').map(images);
    expect(records.map((r) => ('new' in r ? 'new' : 'old' in r ? 'old' : undefined))).toEqual(
      carried,
    );
  });

  test('records are shaped as Lambda hands them over, in increasing sequence order', async () => {
    const { emulator, clock, documents } = simulatedClients([tableWith('NEW_IMAGE')]);
    clock.now = Date.UTC(2024, 0, 2, 3, 4, 5, 678);
    await documents.send(
      new TransactWriteCommand({
        TransactItems: [1, 2].map((Seq) => ({
          Put: { TableName: 'events', Item: { UserID: 'u1', Seq } },
        })),
      }),
    );
    const [first, second] = emulator.streamRecords('events');
    expect(first).toEqual({
      eventID: expect.stringMatching(/^[0-9a-f]{32}$/),
      eventName: 'INSERT',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'us-east-1',
      eventSourceARN: expect.stringMatching(
        /^arn:aws:dynamodb:us-east-1:\d{12}:table\/events\/stream\//,
      ),
      dynamodb: {
        ApproximateCreationDateTime: Date.UTC(2024, 0, 2, 3, 4, 5) / 1000,
        Keys: { UserID: { S: 'u1' }, Seq: { N: '1' } },
        NewImage: { UserID: { S: 'u1' }, Seq: { N: '1' } },
        SequenceNumber: expect.stringMatching(/^\d{21,}$/),
        // Keys and image: UserID (6) + u1 (2) + Seq (3) + 1 (2), twice.
        SizeBytes: 26,
        StreamViewType: 'NEW_IMAGE',
      },
    });
    const sequences = [first, second].map((r) => r?.dynamodb?.SequenceNumber as string);
    expect(BigInt(sequences[1] as string)).toBeGreaterThan(BigInt(sequences[0] as string));
    expect(emulator.streamRecords('events', sequences[0])).toEqual([second]);
    expect(emulator.streamRecords('events', sequences[1])).toEqual([]);
  });
});
