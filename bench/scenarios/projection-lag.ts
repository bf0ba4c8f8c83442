import { randomUUID } from 'node:crypto';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { createDocumentClient } from '@users/shared/dynamo';
import { round, summarize } from '../stats';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Watches the event table's stream as closely as a client can: when each event shows up. */
const watchStream = async (endpoint: string, table: string) => {
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const streams = new DynamoDBStreamsClient({ endpoint, region: 'us-east-1', credentials });
  const { Table } = await createDocumentClient({ endpoint }).send(
    new DescribeTableCommand({ TableName: table }),
  );
  const StreamArn = Table?.LatestStreamArn as string;
  const seen = new Map<string, number>();
  let running = true;
  const iterators = new Map<string, string | undefined>();
  let firstPass = true;
  const loop = (async () => {
    while (running) {
      const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn }));
      for (const shard of StreamDescription?.Shards ?? []) {
        const id = shard.ShardId as string;
        if (!iterators.has(id)) {
          const { ShardIterator } = await streams.send(
            new GetShardIteratorCommand({
              StreamArn,
              ShardId: id,
              // Shards that appear later are read from their start: nothing in them is old.
              ShardIteratorType: firstPass ? 'LATEST' : 'TRIM_HORIZON',
            }),
          );
          iterators.set(id, ShardIterator);
        }
      }
      for (const [id, iterator] of iterators) {
        if (!iterator) continue;
        const { Records = [], NextShardIterator } = await streams.send(
          new GetRecordsCommand({ ShardIterator: iterator }),
        );
        const now = performance.now();
        for (const record of Records) {
          const image = record.dynamodb?.NewImage;
          if (image) seen.set(`${image.AggregateID?.S}#${image.Sequence?.N}`, now);
        }
        iterators.set(id, NextShardIterator);
      }
      firstPass = false;
      await pause(5);
    }
  })();
  return {
    seenAt: (key: string) => seen.get(key),
    stop: async () => {
      running = false;
      await loop;
    },
  };
};

/**
 * From a POST /command answer to the change being visible in GET /detail, against the time the
 * same event takes to show up in a raw GetRecords poll of the stream.
 */
export const projectionLag = async ({
  endpoint,
  baseUrl,
  commands,
}: {
  endpoint: string;
  baseUrl: string;
  commands: number;
}) => {
  const stream = await watchStream(endpoint, 'users-local-events');
  await pause(500);
  const userId = `lag-${randomUUID()}`;
  const post = async (body: object) => {
    const response = await fetch(`${baseUrl}/command`, {
      method: 'POST',
      body: JSON.stringify(body),
    });
    const answer = (await response.json()) as { sequence: number };
    return { answeredAt: performance.now(), sequence: answer.sequence };
  };
  await post({
    user_id: userId,
    event_type: 'USER_CREATED',
    payload: { name: 'Lag', email: 'lag@example.com' },
  });
  const productLags: number[] = [];
  const rawLags: number[] = [];
  for (let i = 0; i < commands; i++) {
    const { answeredAt, sequence } = await post({
      user_id: userId,
      event_type: 'USER_BALANCE',
      payload: { delta: 1 },
    });
    for (const deadline = performance.now() + 30_000; ; ) {
      const detail = (await (await fetch(`${baseUrl}/detail?user_id=${userId}`)).json()) as {
        Version?: number;
      };
      if ((detail.Version ?? 0) >= sequence) break;
      if (performance.now() > deadline) throw new Error(`event ${sequence} never reached /detail`);
      await pause(2);
    }
    productLags.push(performance.now() - answeredAt);
    const key = `${userId}#${sequence}`;
    const giveUp = performance.now() + 10_000;
    while (stream.seenAt(key) === undefined && performance.now() < giveUp) await pause(2);
    const seenAt = stream.seenAt(key);
    if (seenAt !== undefined) rawLags.push(seenAt - answeredAt);
  }
  await stream.stop();
  const product = summarize(productLags);
  const raw = summarize(rawLags);
  return {
    commands,
    detailVisible: { p50: round(product.p50), p99: round(product.p99) },
    rawStreamPoll: { p50: round(raw.p50), p99: round(raw.p99) },
    ratioP50: round(product.p50 / Math.max(raw.p50, 0.01)),
  };
};
