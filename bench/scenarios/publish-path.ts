import { randomUUID } from 'node:crypto';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { createDocumentClient } from '@users/shared/dynamo';
import { stageConfig } from '../../scripts/local-stack/tables';
import { integrationEventOfItem } from '../../services/command-service/src/application/integration-event-of-item';
import { benchDataKeys, createUsersOverHttp, sealedHistoryItems } from '../fixtures';
import { lambdaContext } from '../lambda';
import { median, round, summarize } from '../stats';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type StreamHandler = (
  event: unknown,
  context: unknown,
) => Promise<{ batchItemFailures: unknown[] }>;

/**
 * Publish lag: from a command's answer to the stats service having counted its event (its id
 * recorded), through the stream, the publisher, the local bus and the recorder.
 */
const publishLag = async (baseUrl: string, endpoint: string, commands: number) => {
  const stage = stageConfig('local', { endpoint });
  const client = createDocumentClient({ endpoint });
  const userIds = Array.from({ length: 10 }, () => `lag-${randomUUID()}`);
  await createUsersOverHttp(baseUrl, userIds);
  const lags: number[] = [];
  for (let i = 0; i < commands; i++) {
    const response = await fetch(`${baseUrl}/command`, {
      method: 'POST',
      body: JSON.stringify({
        user_id: userIds[i % userIds.length],
        event_type: 'USER_BALANCE',
        payload: { delta: 1 },
      }),
    });
    const answered = performance.now();
    const { event_id } = (await response.json()) as { event_id: string };
    for (let polls = 0; ; polls++) {
      const { Item } = await client.send(
        new GetCommand({
          TableName: stage.statsTables.countedEvents,
          Key: { EventId: event_id },
          ConsistentRead: true,
        }),
      );
      if (Item) break;
      if (polls > 3000) throw new Error(`${event_id} never counted`);
      await pause(5);
    }
    lags.push(performance.now() - answered);
  }
  const { p50, p99 } = summarize(lags);
  return { commands, p50: round(p50), p99: round(p99) };
};

/**
 * The bundled publisher, invoked in process with stream batches of 100, against raw PutEvents of
 * the same entries (10 a call, 4 calls at once) on the same local bus: entries/s. The bus has no
 * rule for these entries, so nothing downstream weighs on either.
 */
const publisherThroughput = async (
  endpoint: string,
  kmsEndpoint: string,
  publisherBundle: string,
  rounds: number,
) => {
  const stage = stageConfig('local', { endpoint });
  const keys = benchDataKeys(endpoint, kmsEndpoint, stage.dataKeysTable);
  const BUS = 'users-bench-unrouted';
  Object.assign(process.env, {
    EVENT_BUS_ARN: BUS,
    ERASURE_RECEIPTS_TABLE: stage.erasureReceiptsTable,
    AWS_ENDPOINT_URL_EVENTBRIDGE: kmsEndpoint,
    POWERTOOLS_LOG_LEVEL: 'WARN',
  });
  const { handler } = require(publisherBundle) as { handler: StreamHandler };
  const items = (
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        sealedHistoryItems(keys, `pub-${i}-${randomUUID()}`, 10),
      ),
    )
  ).flat();
  const records = items.map((item, i) => ({
    eventID: String(i),
    eventName: 'INSERT',
    dynamodb: { SequenceNumber: String(i).padStart(21, '0'), NewImage: marshall(item) },
  }));
  const entries = await Promise.all(items.map((item) => integrationEventOfItem(item)));
  const eventBridge = new EventBridgeClient({
    region: 'us-east-1',
    endpoint: kmsEndpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const product = async () => {
    const started = performance.now();
    for (let i = 0; i < records.length; i += 100) {
      const { batchItemFailures } = await handler(
        { Records: records.slice(i, i + 100) },
        lambdaContext('publisher'),
      );
      if (batchItemFailures.length > 0) throw new Error('the publisher reported failures');
    }
    return records.length / ((performance.now() - started) / 1000);
  };
  const raw = async () => {
    const started = performance.now();
    const calls: (typeof entries)[] = [];
    for (let i = 0; i < entries.length; i += 10) calls.push(entries.slice(i, i + 10));
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let call = calls.shift(); call; call = calls.shift()) {
          await eventBridge.send(
            new PutEventsCommand({
              Entries: call.map((e) => ({
                EventBusName: BUS,
                Source: 'users',
                DetailType: e.type,
                Detail: JSON.stringify(e.detail),
              })),
            }),
          );
        }
      }),
    );
    return entries.length / ((performance.now() - started) / 1000);
  };
  const productRuns: number[] = [];
  const rawRuns: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const pair: [number[], () => Promise<number>][] = [
      [productRuns, product],
      [rawRuns, raw],
    ];
    for (const [runs, run] of r % 2 === 0 ? pair : pair.reverse()) runs.push(await run());
  }
  return {
    entries: records.length,
    publisherPerSecond: round(median(productRuns), 0),
    rawPutEventsPerSecond: round(median(rawRuns), 0),
    ratio: round(median(productRuns) / median(rawRuns)),
  };
};

export const publishPath = async (
  {
    baseUrl,
    endpoint,
    kmsEndpoint,
    rounds,
    commands,
  }: { baseUrl: string; endpoint: string; kmsEndpoint: string; rounds: number; commands: number },
  publisherBundle: string,
) => ({
  lag: await publishLag(baseUrl, endpoint, commands),
  throughput: await publisherThroughput(endpoint, kmsEndpoint, publisherBundle, rounds),
});
