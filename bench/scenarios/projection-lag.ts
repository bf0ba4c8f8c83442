import { randomUUID } from 'node:crypto';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { createDocumentClient } from '@users/shared/dynamo';
import { randomCommand, sendCommand } from '../../reliability/load';
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
  const restarted = new Set<string>();
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
              ShardIteratorType: firstPass || restarted.has(id) ? 'LATEST' : 'TRIM_HORIZON',
            }),
          );
          iterators.set(id, ShardIterator);
        }
      }
      for (const [id, iterator] of iterators) {
        if (!iterator) continue;
        const answer = await streams
          .send(new GetRecordsCommand({ ShardIterator: iterator }))
          .catch(() => undefined);
        if (!answer) {
          // A shard DynamoDB Local trimmed or closed under us: start it over from its newest.
          iterators.delete(id);
          restarted.add(id);
          continue;
        }
        const { Records = [], NextShardIterator } = answer;
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

/** The soak's traffic: `clients` loops of 3 commands to 2 queries over 100 users, until stopped. */
const backgroundLoad = (baseUrl: string, clients: number) => {
  const userIds = Array.from({ length: 100 }, (_, i) => `lag-load-${i}-${randomUUID()}`);
  let running = true;
  let requests = 0;
  let failed = 0;
  const started = performance.now();
  const loops = Array.from({ length: clients }, async (_, worker) => {
    for (let i = 0; running; i++) {
      requests++;
      if (i % 5 < 3) {
        const { status } = await sendCommand(baseUrl, randomCommand(userIds));
        if (status === undefined) failed++;
        continue;
      }
      const userId = userIds[(worker + i) % userIds.length];
      const path = [`/detail?user_id=${userId}`, '/list?limit=20', `/history?user_id=${userId}`][
        i % 3
      ];
      try {
        const response = await fetch(`${baseUrl}${path}`);
        await response.arrayBuffer();
        if (response.status >= 500) failed++;
      } catch {
        failed++;
      }
    }
  });
  return async () => {
    running = false;
    await Promise.all(loops);
    const seconds = (performance.now() - started) / 1000;
    return { clients, requestsPerSecond: round(requests / seconds, 0), failed };
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
  backgroundClients = 0,
}: {
  endpoint: string;
  baseUrl: string;
  commands: number;
  /** Clients sending the soak's mix of commands and queries meanwhile. */
  backgroundClients?: number;
}) => {
  const stream = await watchStream(endpoint, 'users-local-events');
  const stopLoad = backgroundClients > 0 ? backgroundLoad(baseUrl, backgroundClients) : undefined;
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
  const background = await stopLoad?.();
  await stream.stop();
  const product = summarize(productLags);
  const raw = summarize(rawLags);
  return {
    commands,
    ...(background && { background }),
    detailVisible: { p50: round(product.p50), p99: round(product.p99) },
    rawStreamPoll: { p50: round(raw.p50), p99: round(raw.p99) },
    // Under load a record often reaches the stream before its answer reaches the client: then
    // the raw lag is negative and a ratio says nothing.
    ratioP50: raw.p50 > 1 ? round(product.p50 / raw.p50) : null,
  };
};
