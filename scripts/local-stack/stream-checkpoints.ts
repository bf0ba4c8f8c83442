import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';

/**
 * The stream plugin's checkpoint file, `{"<function>@<streamArn>::<shardId>": "<sequence number>"}`
 * (offline-stream-batches.cjs keeps each function's positions apart): where the projector and the
 * publisher resume. Written whole and renamed, so a crash never leaves half a file.
 */
type Checkpoints = Record<string, string>;

/** The projector's positions in the file (its function key in the serverless config). */
const PROJECTOR = 'projector@';

const local = (endpoint: string) => ({
  endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});

const write = (file: string, checkpoints: Checkpoints) => {
  writeFileSync(`${file}.tmp`, JSON.stringify(checkpoints, null, 2));
  renameSync(`${file}.tmp`, file);
};

const read = (file: string): Checkpoints => {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return {};
  }
};

const streamArnOf = async (endpoint: string, table: string) => {
  const { Table } = await new DynamoDBClient(local(endpoint)).send(
    new DescribeTableCommand({ TableName: table }),
  );
  if (!Table?.LatestStreamArn) throw new Error(`${table} has no stream`);
  return Table.LatestStreamArn;
};

/** A fresh in-memory database has a new stream: nothing to resume. */
export const forgetCheckpoints = (file: string) => rmSync(file, { force: true });

/** Drops the positions in streams that no longer exist (each in-memory start made one). */
export const keepCheckpointsOf = async (file: string, endpoint: string, table: string) => {
  if (!existsSync(file)) return;
  const stream = `@${await streamArnOf(endpoint, table)}::`;
  const kept = Object.entries(read(file)).filter(([key]) => key.includes(stream));
  write(file, Object.fromEntries(kept));
};

/**
 * Points the projector past every record the stream holds: for read models just rebuilt from
 * the event store, nothing in it is news, and a position left by a crash is not trusted. The
 * publisher's position stays: what it had not published yet, it still publishes.
 */
export const checkpointAtStreamEnd = async (file: string, endpoint: string, table: string) => {
  const streamArn = await streamArnOf(endpoint, table);
  const streams = new DynamoDBStreamsClient(local(endpoint));
  const { StreamDescription } = await streams.send(
    new DescribeStreamCommand({ StreamArn: streamArn }),
  );
  const checkpoints: Checkpoints = Object.fromEntries(
    Object.entries(read(file)).filter(
      ([key]) => key.includes(`@${streamArn}::`) && !key.startsWith(PROJECTOR),
    ),
  );
  for (const { ShardId } of StreamDescription?.Shards ?? []) {
    let { ShardIterator } = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    while (ShardIterator) {
      const page = await streams.send(new GetRecordsCommand({ ShardIterator, Limit: 1000 }));
      const last = page.Records?.at(-1)?.dynamodb?.SequenceNumber;
      if (!last) break;
      checkpoints[`${PROJECTOR}${streamArn}::${ShardId}`] = last;
      ShardIterator = page.NextShardIterator;
    }
  }
  write(file, checkpoints);
};
