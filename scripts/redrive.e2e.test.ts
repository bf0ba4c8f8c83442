import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { eventually, get, postCommand, uniqueUserId } from '../test/support/http';
import { LOCAL_PROJECTOR_FAILURE_QUEUE } from './local-stack/local-aws';
import { stageConfig } from './local-stack/tables';

const dynamodbEndpoint = () => `http://localhost:${process.env.E2E_DYNAMODB_PORT}`;
const localAwsPort = () => process.env.E2E_LOCAL_AWS_PORT ?? '3104';
const stage = () => stageConfig('local', { endpoint: dynamodbEndpoint() });
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const queueUrl = () =>
  `http://localhost:${localAwsPort()}/000000000000/${LOCAL_PROJECTOR_FAILURE_QUEUE}`;

/**
 * The script as an operator runs it. Not spawnSync: run alone, this file shares its process with
 * the stack's local AWS stand-in, which must go on answering meanwhile.
 */
const redrive = (...args: string[]) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(
      process.execPath,
      ['-r', 'esbuild-register', join(__dirname, 'redrive.ts'), ...args],
      {
        env: {
          ...process.env,
          DYNAMODB_PORT: process.env.E2E_DYNAMODB_PORT,
          LOCAL_AWS_PORT: localAwsPort(),
        },
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });

/** What Lambda puts in the projector's failure queue for a batch: where its records are. */
const failureRecordOf = async (userId: string) => {
  const { client, eventsTable } = stage();
  const { Table } = await client.send(new DescribeTableCommand({ TableName: eventsTable }));
  const streamArn = Table?.LatestStreamArn as string;
  const streams = new DynamoDBStreamsClient({
    endpoint: dynamodbEndpoint(),
    region: 'us-east-1',
    credentials,
  });
  const { StreamDescription } = await streams.send(
    new DescribeStreamCommand({ StreamArn: streamArn }),
  );
  for (const { ShardId } of StreamDescription?.Shards ?? []) {
    let { ShardIterator } = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    const sequences: string[] = [];
    while (ShardIterator) {
      const page = await streams.send(new GetRecordsCommand({ ShardIterator, Limit: 1000 }));
      if ((page.Records ?? []).length === 0) break;
      for (const record of page.Records ?? []) {
        if (record.dynamodb?.Keys?.AggregateID?.S === userId) {
          sequences.push(record.dynamodb.SequenceNumber as string);
        }
      }
      ShardIterator = page.NextShardIterator;
    }
    if (sequences.length > 0) {
      return {
        DDBStreamBatchInfo: {
          shardId: ShardId,
          startSequenceNumber: sequences[0],
          endSequenceNumber: sequences.at(-1),
          streamArn,
          batchSize: sequences.length,
        },
      };
    }
  }
  throw new Error(`no stream record of ${userId}`);
};

const sendToFailureQueue = (body: unknown) =>
  new SQSClient({
    endpoint: `http://localhost:${localAwsPort()}`,
    region: 'us-east-1',
    credentials,
  }).send(new SendMessageCommand({ QueueUrl: queueUrl(), MessageBody: JSON.stringify(body) }));

describe('npm run redrive', () => {
  it('rebuilds the read models of a batch the projector gave up on, deleting its message only then; a dry run first', async () => {
    const userId = uniqueUserId('redrive');
    await postCommand({
      user_id: userId,
      event_type: 'USER_CREATED',
      payload: { name: 'Redrive', email: 'redrive@example.com' },
    });
    await postCommand({ user_id: userId, event_type: 'USER_BALANCE', payload: { delta: 5 } });
    const projected = await eventually(async () => {
      const answer = await get(`/detail?user_id=${userId}`);
      expect(answer.body.Balance).toBe(5);
      return answer.body;
    });
    // The projector gave up on this user's batch: its read model is not there, the batch's
    // failure record is in the queue.
    const { client, readModelTables } = stage();
    await client.send(
      new DeleteCommand({ TableName: readModelTables.detail, Key: { UserID: userId } }),
    );
    expect((await get(`/detail?user_id=${userId}`)).status).toBe(404);
    await sendToFailureQueue(await failureRecordOf(userId));

    const dryRun = await redrive();
    expect(dryRun.stderr).toBe('');
    // Other files write to this stack meanwhile: their records may fall inside the batch's range.
    expect(dryRun.stdout).toMatch(
      new RegExp(`\\d+ records of \\d+ users .*would rebuild .*${userId}`),
    );
    expect(dryRun.stdout).toMatch(/Dry run: --apply to act/);
    expect((await get(`/detail?user_id=${userId}`)).status).toBe(404);

    const applied = await redrive('--apply');
    expect(applied.status).toBe(0);
    expect(applied.stdout).toMatch(new RegExp(`rebuilt, message deleted .*${userId}`));
    expect((await get(`/detail?user_id=${userId}`)).body).toEqual(projected);
    expect((await redrive()).stdout).toMatch(/^0 message\(s\)/m);
  });

  it('keeps a message whose records left the stream, and says to rebuild', async () => {
    const { client, eventsTable } = stage();
    const { Table } = await client.send(new DescribeTableCommand({ TableName: eventsTable }));
    await sendToFailureQueue({
      DDBStreamBatchInfo: {
        shardId: 'shardId-00000000000000000000-gone',
        startSequenceNumber: '1',
        endSequenceNumber: '2',
        streamArn: Table?.LatestStreamArn,
        batchSize: 2,
      },
    });
    const applied = await redrive('--apply');
    expect(applied.status).toBe(1);
    expect(applied.stdout).toMatch(/cannot be read from the stream .*run npm run rebuild/);
    expect((await redrive()).stdout).toMatch(/^1 message\(s\)/m);
  });
});
