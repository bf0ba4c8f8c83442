import { randomUUID } from 'node:crypto';
import { PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '@users/shared/dynamo';
import { createTables } from '../../scripts/local-stack/tables';
import {
  benchDataKeys,
  createUsersOverHttp,
  ERASURE_SCHEDULE_ENVIRONMENT,
  rawHeadVersion,
  sealedHistoryItems,
  throwawayHistoryItems,
  writeItems,
} from '../fixtures';
import { type HttpHandler, httpEvent, lambdaContext } from '../lambda';
import { describeRuns, type LoadResult, median, round, runLoad } from '../stats';

const CONCURRENCIES = [1, 8, 32];
const USERS = 32;

export type BenchEnv = {
  endpoint: string;
  kmsEndpoint: string;
  baseUrl: string;
  runMs: number;
  rounds: number;
};

type Variant = {
  product: (worker: number) => Promise<unknown>;
  raw: (worker: number) => Promise<unknown>;
};

/**
 * Commands/s and latency, in process and over HTTP, against the least a command can cost on the
 * same DynamoDB Local: read the head, then one conditional write (a PutItem, or with an
 * Idempotency-Key a 2-item TransactWriteItems).
 */
export const commandPath = async (
  { endpoint, kmsEndpoint, baseUrl, runMs, rounds }: BenchEnv,
  commandBundle: string,
) => {
  const client = createDocumentClient({ endpoint });
  const product = await createTables(endpoint, [
    'EventsTable',
    'IdempotencyTable',
    'DataKeysTable',
    'ErasureReceiptsTable',
    'PendingErasuresTable',
  ]);
  const raw = await createTables(endpoint, ['EventsTable', 'IdempotencyTable']);
  const keys = benchDataKeys(endpoint, kmsEndpoint, product.DataKeysTable);
  Object.assign(process.env, {
    EVENTS_TABLE: product.EventsTable,
    IDEMPOTENCY_TABLE: product.IdempotencyTable,
    ERASURE_RECEIPTS_TABLE: product.ErasureReceiptsTable,
    PENDING_ERASURES_TABLE: product.PendingErasuresTable,
    DYNAMODB_ENDPOINT: endpoint,
    POWERTOOLS_LOG_LEVEL: 'WARN',
    ...ERASURE_SCHEDULE_ENVIRONMENT,
  });
  const { handler } = require(commandBundle) as { handler: HttpHandler };
  const context = lambdaContext('command');
  const userIds = Array.from({ length: USERS }, (_, i) => `bench-${i}-${randomUUID()}`);
  const sealed = await Promise.all(userIds.map((id) => sealedHistoryItems(keys, id, 1)));
  await writeItems(client, product.EventsTable, sealed.flat());
  await writeItems(client, raw.EventsTable, sealed.flat());
  const rawTemplate = throwawayHistoryItems('template', 2)[1] as Record<string, unknown>;
  const httpUsers = Array.from({ length: USERS }, (_, i) => `bench-http-${i}-${randomUUID()}`);

  const invoke = async (worker: number, headers: Record<string, string> = {}) => {
    const body = { user_id: userIds[worker], event_type: 'USER_BALANCE', payload: { delta: 1 } };
    const response = await handler(httpEvent('POST', '/command', { body, headers }), context);
    if (response.statusCode !== 200) throw new Error(response.body);
  };
  const rawAppend = async (worker: number, withKey: boolean) => {
    const userId = userIds[worker] as string;
    const next = (await rawHeadVersion(client, raw.EventsTable, userId)) + 1;
    const put = {
      TableName: raw.EventsTable,
      Item: { ...rawTemplate, AggregateID: userId, Sequence: next, EventId: randomUUID() },
      ConditionExpression: 'attribute_not_exists(AggregateID)',
    };
    if (!withKey) return client.send(new PutCommand(put));
    const key = {
      TableName: raw.IdempotencyTable,
      Item: {
        IdempotencyKey: randomUUID(),
        RequestHash: 'x'.repeat(64),
        Result: { sequence: next },
        ExpiresAt: 0,
      },
      ConditionExpression: 'attribute_not_exists(IdempotencyKey)',
    };
    return client.send(new TransactWriteCommand({ TransactItems: [{ Put: put }, { Put: key }] }));
  };
  const overHttp = async (worker: number) => {
    const response = await fetch(`${baseUrl}/command`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        user_id: httpUsers[worker],
        event_type: 'USER_BALANCE',
        payload: { delta: 1 },
      }),
    });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(String(response.status));
  };

  // DynamoDB Local's JVM needs 10,000 operations or more before its figures settle.
  let warmUps = 0;
  while (warmUps < 20_000) {
    const [a, b] = await Promise.all([
      runLoad(8, 1000, (w) => invoke(w)),
      runLoad(8, 1000, (w) => rawAppend(w + 8, false)),
    ]);
    warmUps += Math.round(a.perSecond + b.perSecond);
  }

  await createUsersOverHttp(baseUrl, httpUsers);

  // The HTTP path's own warm-up: the JIT of the emulator and the handler at full concurrency.
  await runLoad(32, 5000, overHttp);

  const variants: Record<string, Variant> = {
    plain: { product: (w) => invoke(w), raw: (w) => rawAppend(w, false) },
    idempotent: {
      product: (w) => invoke(w, { 'idempotency-key': randomUUID() }),
      raw: (w) => rawAppend(w, true),
    },
  };
  const results: Record<string, unknown>[] = [];
  for (const concurrency of CONCURRENCIES) {
    for (const [variant, { product: productOp, raw: rawOp }] of Object.entries(variants)) {
      const productRuns: LoadResult[] = [];
      const rawRuns: LoadResult[] = [];
      const httpRuns: LoadResult[] = [];
      // A/B then B/A: DynamoDB Local's JVM keeps speeding up for minutes, which would favour
      // whichever side always runs second.
      for (let round = 0; round < rounds; round++) {
        const pair: [LoadResult[], (w: number) => Promise<unknown>][] = [
          [productRuns, productOp],
          [rawRuns, rawOp],
        ];
        for (const [runs, op] of round % 2 === 0 ? pair : pair.reverse()) {
          runs.push(await runLoad(concurrency, runMs, op));
        }
        if (variant === 'plain') httpRuns.push(await runLoad(concurrency, runMs, overHttp));
      }
      results.push({
        concurrency,
        variant,
        direct: describeRuns(productRuns),
        raw: describeRuns(rawRuns),
        ratio: round(
          median(productRuns.map((r) => r.perSecond)) / median(rawRuns.map((r) => r.perSecond)),
        ),
        ...(httpRuns.length > 0 && {
          http: describeRuns(httpRuns),
          httpToDirect: round(
            median(httpRuns.map((r) => r.perSecond)) / median(productRuns.map((r) => r.perSecond)),
          ),
        }),
      });
    }
  }
  return results;
};
