import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { startDynamoDbLocal } from '../../scripts/local-stack/dynamodb-local';
import { stopProcessGroup } from '../../scripts/local-stack/processes';
import { javaPidOf, processCpuMs } from '../process-cpu';
import { round } from '../stats';

const OPERATIONS = 2000;
const CONCURRENCY = 8;
const ROUNDS = 3;
const local = { region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'x' } };
const keySchema = {
  KeySchema: [
    { AttributeName: 'pk', KeyType: 'HASH' as const },
    { AttributeName: 'sk', KeyType: 'RANGE' as const },
  ],
  AttributeDefinitions: [
    { AttributeName: 'pk', AttributeType: 'S' as const },
    { AttributeName: 'sk', AttributeType: 'N' as const },
  ],
  BillingMode: 'PAY_PER_REQUEST' as const,
};

/**
 * What each kind of request the local stack sends costs DynamoDB Local's JVM (CPU ms per request,
 * at concurrency 8, the last of 3 rounds so that its JIT has warmed up), on an instance of its own:
 * items of the size of an event, a stream like the events table's.
 */
export const dynamoDbOperationCosts = async (port: number) => {
  const dynamodb = await startDynamoDbLocal(port);
  try {
    const java = javaPidOf(dynamodb.process.pid as number);
    const client = new DynamoDBClient({ endpoint: dynamodb.endpoint, ...local });
    const streams = new DynamoDBStreamsClient({ endpoint: dynamodb.endpoint, ...local });
    const streamed = { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' as const };
    await client.send(
      new CreateTableCommand({ TableName: 'events', ...keySchema, StreamSpecification: streamed }),
    );
    await client.send(new CreateTableCommand({ TableName: 'plain', ...keySchema }));
    await client.send(new CreateTableCommand({ TableName: 'figures', ...keySchema }));
    const payload = { S: 'x'.repeat(300) };
    let n = 0;
    const newItem = (prefix: string) => ({
      pk: { S: `${prefix}${n % 32}` },
      sk: { N: String(n++) },
      payload,
    });
    const absent = 'attribute_not_exists(pk)';
    const requests: Record<string, () => Promise<unknown>> = {
      'GetItem (consistent)': () =>
        client.send(
          new GetItemCommand({
            TableName: 'plain',
            Key: { pk: { S: `u${n++ % 32}` }, sk: { N: '1' } },
            ConsistentRead: true,
          }),
        ),
      'Query, Limit 1 (consistent)': () =>
        client.send(
          new QueryCommand({
            TableName: 'events',
            KeyConditionExpression: 'pk = :p',
            ExpressionAttributeValues: { ':p': { S: `u${n++ % 32}` } },
            ScanIndexForward: false,
            Limit: 1,
            ConsistentRead: true,
          }),
        ),
      'PutItem, conditional, no stream': () =>
        client.send(
          new PutItemCommand({
            TableName: 'plain',
            Item: newItem('u'),
            ConditionExpression: absent,
          }),
        ),
      'PutItem, conditional, streamed table': () =>
        client.send(
          new PutItemCommand({
            TableName: 'events',
            Item: newItem('u'),
            ConditionExpression: absent,
          }),
        ),
      'TransactWriteItems: put if absent + ADD (the stats recorder)': () =>
        client.send(
          new TransactWriteItemsCommand({
            TransactItems: [
              { Put: { TableName: 'plain', Item: newItem('t'), ConditionExpression: absent } },
              {
                Update: {
                  TableName: 'figures',
                  Key: { pk: { S: `day${n % 5}` }, sk: { N: '0' } },
                  UpdateExpression: 'ADD registered :one',
                  ExpressionAttributeValues: { ':one': { N: '1' } },
                },
              },
            ],
          }),
        ),
    };
    const perRequest: Record<string, number> = {};
    for (let roundNo = 1; roundNo <= ROUNDS; roundNo++) {
      for (const [name, send] of Object.entries(requests)) {
        const before = processCpuMs(java);
        for (let i = 0; i < OPERATIONS; i += CONCURRENCY) {
          await Promise.all(Array.from({ length: CONCURRENCY }, send));
        }
        perRequest[name] = round((processCpuMs(java) - before) / OPERATIONS, 3);
      }
    }
    const arn = (await client.send(new DescribeTableCommand({ TableName: 'events' }))).Table
      ?.LatestStreamArn;
    const shard = (await streams.send(new DescribeStreamCommand({ StreamArn: arn })))
      .StreamDescription?.Shards?.[0]?.ShardId;
    let iterator = (
      await streams.send(
        new GetShardIteratorCommand({
          StreamArn: arn,
          ShardId: shard,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      )
    ).ShardIterator;
    let before = processCpuMs(java);
    let records = 0;
    let full = 0;
    while (full < 50) {
      const page = await streams.send(
        new GetRecordsCommand({ ShardIterator: iterator, Limit: 100 }),
      );
      iterator = page.NextShardIterator;
      if (!page.Records?.length) break;
      records += page.Records.length;
      full++;
    }
    perRequest['GetRecords, per record read'] = round((processCpuMs(java) - before) / records, 3);
    before = processCpuMs(java);
    for (let i = 0; i < 200; i++) {
      iterator = (await streams.send(new GetRecordsCommand({ ShardIterator: iterator })))
        .NextShardIterator;
    }
    perRequest['GetRecords at the stream end (a poll that finds nothing)'] = round(
      (processCpuMs(java) - before) / 200,
      3,
    );
    return perRequest;
  } finally {
    await stopProcessGroup(dynamodb.process, 'SIGKILL');
  }
};
