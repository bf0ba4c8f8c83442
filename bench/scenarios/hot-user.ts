import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '@users/shared/dynamo';
import { COMMAND_FUNCTION_TABLES, createTables } from '../../scripts/local-stack/tables';
import {
  type CommandDependencies,
  executeCommand,
  RETRY_POLICY,
  type RetryPolicy,
} from '../../services/command-service/src/application/execute-command';
import type { EventStore } from '../../services/command-service/src/application/ports';
import type { UserCommand } from '../../services/command-service/src/domain/commands';
import { DynamoEventStore } from '../../services/command-service/src/infrastructure/dynamo-event-store';
import {
  benchDataKeys,
  onOwnDynamoDbLocal,
  rawHeadVersion,
  sealedHistoryItems,
  throwawayHistoryItems,
  writeItems,
} from '../fixtures';
import { median, round, summarize } from '../stats';

const CONCURRENCIES = [1, 4, 16, 64];
const SWEEP_CONCURRENCIES = [16, 64];

/** Candidate bounded-retry policies; RETRY_POLICY is the one the command service keeps. */
const CANDIDATES: Record<string, RetryPolicy> = {
  'no pause, 10 attempts': { maxAttempts: 10, baseMs: 0, capExponent: 0 },
  '5 ms x 2^min(n,5), 10 attempts': { maxAttempts: 10, baseMs: 5, capExponent: 5 },
  '20 ms x 2^min(n,4), 20 attempts': { maxAttempts: 20, baseMs: 20, capExponent: 4 },
  '50 ms x 2^min(n,3), 10 attempts': { maxAttempts: 10, baseMs: 50, capExponent: 3 },
  '50 ms x 2^min(n,3), 15 attempts': { maxAttempts: 15, baseMs: 50, capExponent: 3 },
};

export type HotUserCell = {
  concurrency: number;
  successesPerSecond: number;
  redecidesPerSuccess: number;
  conflictRate: number;
  p50: number;
  p99: number;
};

const medianCell = (cells: HotUserCell[]): HotUserCell => {
  const of = (field: keyof HotUserCell) => round(median(cells.map((cell) => cell[field])), 3);
  return {
    concurrency: of('concurrency'),
    successesPerSecond: of('successesPerSecond'),
    redecidesPerSuccess: of('redecidesPerSuccess'),
    conflictRate: of('conflictRate'),
    p50: of('p50'),
    p99: of('p99'),
  };
};

/** Counts how often a command is decided (each decision ends in one append attempt). */
const countingAppends = (store: EventStore) => {
  const counter = { appends: 0 };
  const counted: EventStore = Object.create(store);
  counted.appendEvents = (request) => {
    counter.appends++;
    return store.appendEvents(request);
  };
  return { counted, counter };
};

/**
 * Many writers on one user for `runMs` each: how many commands/s one user's stream takes, what
 * the bounded retries cost, and how many writers are sent away with 409. The command service's
 * own `executeCommand` on DynamoDB Local (no HTTP: what is measured is contention on one
 * partition key), against the raw read-then-conditional-put loop, which retries until it wins.
 */
export const hotUser = ({ port, ...settings }: { port: number; runMs: number; rounds: number }) =>
  onOwnDynamoDbLocal(port, (endpoint, kmsEndpoint) => hotUserOn(endpoint, kmsEndpoint, settings));

const hotUserOn = async (
  endpoint: string,
  kmsEndpoint: string,
  { runMs, rounds }: { runMs: number; rounds: number },
) => {
  const client = createDocumentClient({ endpoint });
  const tables = await createTables(endpoint, COMMAND_FUNCTION_TABLES);
  const keys = benchDataKeys(endpoint, kmsEndpoint, tables.DataKeysTable);
  const store = new DynamoEventStore(
    client,
    {
      events: tables.EventsTable,
      idempotency: tables.IdempotencyTable,
      erasureReceipts: tables.ErasureReceiptsTable,
      pendingErasures: tables.PendingErasuresTable,
    },
    keys,
  );
  const freshUser = async () => {
    const userId = `hot-${randomUUID()}`;
    await writeItems(client, tables.EventsTable, await sealedHistoryItems(keys, userId, 1));
    return userId;
  };
  const command: UserCommand = { type: 'USER_BALANCE', payload: { delta: 1 } };

  const measure = async (
    concurrency: number,
    policy: RetryPolicy,
    withKey: boolean,
  ): Promise<HotUserCell> => {
    const userId = await freshUser();
    const { counted, counter } = countingAppends(store);
    const deps: CommandDependencies = {
      store: counted,
      now: () => new Date(),
      newEventId: randomUUID,
      retryPolicy: policy,
    };
    const latencies: number[] = [];
    let successes = 0;
    let conflicts = 0;
    const started = performance.now();
    const deadline = started + runMs;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < deadline) {
          const t0 = performance.now();
          const outcome = await executeCommand(deps, {
            userId,
            command,
            caller: 'bench',
            idempotencyKey: withKey ? randomUUID() : undefined,
            correlationId: 'bench',
          });
          latencies.push(performance.now() - t0);
          if (outcome.kind === 'stored') successes++;
          else conflicts++;
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const { p50, p99 } = summarize(latencies);
    return {
      concurrency,
      successesPerSecond: round(successes / seconds, 0),
      redecidesPerSuccess: round((counter.appends - latencies.length) / Math.max(1, successes)),
      conflictRate: round(conflicts / Math.max(1, latencies.length), 3),
      p50: round(p50),
      p99: round(p99),
    };
  };

  const rawTemplate = throwawayHistoryItems('template', 2)[1] as Record<string, unknown>;
  const rawLoop = async (concurrency: number): Promise<HotUserCell> => {
    const userId = await freshUser();
    const latencies: number[] = [];
    let attempts = 0;
    const started = performance.now();
    const deadline = started + runMs;
    const appendOnce = async () => {
      for (;;) {
        attempts++;
        const next = (await rawHeadVersion(client, tables.EventsTable, userId)) + 1;
        const put = new PutCommand({
          TableName: tables.EventsTable,
          Item: { ...rawTemplate, AggregateID: userId, Sequence: next, EventId: randomUUID() },
          ConditionExpression: 'attribute_not_exists(AggregateID)',
        });
        const won = await client.send(put).then(
          () => true,
          (error: Error) => {
            if (error.name === 'ConditionalCheckFailedException') return false;
            throw error;
          },
        );
        if (won) return;
      }
    };
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < deadline) {
          const t0 = performance.now();
          await appendOnce();
          latencies.push(performance.now() - t0);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const { p50, p99 } = summarize(latencies);
    return {
      concurrency,
      successesPerSecond: round(latencies.length / seconds, 0),
      redecidesPerSuccess: round((attempts - latencies.length) / Math.max(1, latencies.length)),
      conflictRate: 0,
      p50: round(p50),
      p99: round(p99),
    };
  };

  // The JIT, the KMS data-key cache and DynamoDB Local's JVM, before anything is counted.
  await measure(16, RETRY_POLICY, false);
  await rawLoop(16);

  // Round robin, `rounds` times, the median of each figure: DynamoDB Local drifts over a run.
  const runs: Record<string, HotUserCell[][]> = {};
  for (let round = 0; round < rounds; round++) {
    for (const [name, policy] of Object.entries(CANDIDATES)) {
      for (const [i, concurrency] of SWEEP_CONCURRENCIES.entries()) {
        runs[name] ??= SWEEP_CONCURRENCIES.map(() => []);
        runs[name][i]?.push(await measure(concurrency, policy, false));
      }
    }
  }
  const sweep = Object.fromEntries(
    Object.entries(runs).map(([name, cells]) => [name, cells.map(medianCell)]),
  );
  const product = {
    plain: [] as HotUserCell[],
    idempotent: [] as HotUserCell[],
    raw: [] as HotUserCell[],
  };
  for (const concurrency of CONCURRENCIES) {
    product.plain.push(await measure(concurrency, RETRY_POLICY, false));
    product.idempotent.push(await measure(concurrency, RETRY_POLICY, true));
    product.raw.push(await rawLoop(concurrency));
  }
  return { kept: RETRY_POLICY, ...product, sweep };
};
