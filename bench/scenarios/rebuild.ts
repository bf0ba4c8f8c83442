import { paginateScan } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '@users/shared/dynamo';
import { runCommand } from '../../scripts/local-stack/processes';
import { createTables, deleteTables, stageTableNames } from '../../scripts/local-stack/tables';
import { DynamoProjectionRegistry } from '../../services/query-service/src/infrastructure/dynamo-projection-registry';
import { DynamoReadModelStore } from '../../services/query-service/src/infrastructure/dynamo-read-model-store';
import { benchDataKeys, onOwnDynamoDbLocal, sealedHistoryItems, writeItems } from '../fixtures';
import { median, percentile, round } from '../stats';

const ROOT = `${__dirname}/../..`;
const STAGE = 'bench';
const SEGMENTS = 4;

const STAGE_TABLES = [
  'EventsTable',
  'DataKeysTable',
  'UserDetailTable',
  'UserHistoryTable',
  'ProjectionsTable',
] as const;
const createStageTables = (endpoint: string) =>
  createTables(endpoint, STAGE_TABLES, { names: stageTableNames(STAGE, STAGE_TABLES) });

type RebuildSize = { users: number; eventsPerUser: number; rounds: number };

/**
 * `npm run rebuild` over a store of `users` x `eventsPerUser` events, and `npm run projections --
 * build 2` (the same replay into a new version's tables, with its lease), against the raw floor:
 * a parallel Scan of the same table plus BatchWriteItem of as many items; then what reading the
 * live version's pointer adds to a query's reads. Runs on a DynamoDB Local
 * of its own: one that already holds the other scenarios' data writes far slower.
 */
export const rebuild = ({ port, ...size }: RebuildSize & { port: number }) =>
  onOwnDynamoDbLocal(port, (endpoint, kmsEndpoint) => rebuildOn(endpoint, kmsEndpoint, size));

const rebuildOn = async (
  endpoint: string,
  kmsEndpoint: string,
  { users, eventsPerUser, rounds }: RebuildSize,
) => {
  const client = createDocumentClient({ endpoint });
  const tables = await createStageTables(endpoint);
  const scratch = await createTables(endpoint, ['UserHistoryTable']);
  const events = users * eventsPerUser;
  try {
    const keys = benchDataKeys(endpoint, kmsEndpoint, tables.DataKeysTable);
    for (let i = 0; i < users; i++) {
      await writeItems(
        client,
        tables.EventsTable,
        await sealedHistoryItems(keys, `rebuild-${i}`, eventsPerUser),
      );
    }

    const rebuildRates: number[] = [];
    const buildRates: number[] = [];
    const rawRates: number[] = [];
    const cli = (...args: string[]) =>
      runCommand('npm', ['run', '--silent', ...args, '--stage', STAGE, '--endpoint', endpoint], {
        cwd: ROOT,
        env: { ...process.env, LOCAL_AWS_PORT: new URL(kmsEndpoint).port },
      });
    for (let round = 0; round < rounds; round++) {
      let t0 = performance.now();
      await cli('projections', '--', 'build', '2');
      buildRates.push(events / ((performance.now() - t0) / 1000));
      await cli('projections', '--', 'drop', '2', '--drain-seconds', '0');

      t0 = performance.now();
      await runCommand(
        'npm',
        [
          'run',
          '--silent',
          'rebuild',
          '--',
          '--stage',
          STAGE,
          '--endpoint',
          endpoint,
          '--segments',
          String(SEGMENTS),
        ],
        { cwd: ROOT, env: { ...process.env, LOCAL_AWS_PORT: new URL(kmsEndpoint).port } },
      );
      rebuildRates.push(events / ((performance.now() - t0) / 1000));

      t0 = performance.now();
      await Promise.all(
        Array.from({ length: SEGMENTS }, async (_, segment) => {
          for await (const page of paginateScan(
            { client },
            { TableName: tables.EventsTable, Segment: segment, TotalSegments: SEGMENTS },
          )) {
            const copies = (page.Items ?? []).map(({ AggregateID, Sequence, ...rest }) => ({
              UserID: AggregateID,
              Sequence,
              ...rest,
            }));
            await writeItems(client, scratch.UserHistoryTable, copies, 2);
          }
        }),
      );
      rawRates.push(events / ((performance.now() - t0) / 1000));
    }
    return {
      events,
      users,
      rebuildEventsPerSecond: round(median(rebuildRates), 0),
      rawScanAndBatchWritePerSecond: round(median(rawRates), 0),
      ratio: round(median(rebuildRates) / median(rawRates)),
      projectionBuildEventsPerSecond: round(median(buildRates), 0),
      projectionBuildRatio: round(median(buildRates) / median(rawRates)),
      livePointer: await livePointerCost(client, tables, users),
    };
  } finally {
    await deleteTables(endpoint, { ...tables, ...scratch });
  }
};

/**
 * What a query pays to learn the live projection version: a consistent GetItem of one copy of the
 * pointer before its own reads. Sequential reads of a detail, with and without it (p50/p99 ms).
 */
const livePointerCost = async (
  client: ReturnType<typeof createDocumentClient>,
  tables: Record<(typeof STAGE_TABLES)[number], string>,
  users: number,
) => {
  const registry = new DynamoProjectionRegistry(client, tables.ProjectionsTable);
  const store = new DynamoReadModelStore(client, {
    detail: tables.UserDetailTable,
    history: tables.UserHistoryTable,
    listIndex: 'ListIndex',
  });
  const time = async (read: (userId: string) => Promise<unknown>) => {
    const samples: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const t0 = performance.now();
      await read(`rebuild-${i % users}`);
      samples.push(performance.now() - t0);
    }
    samples.sort((a, b) => a - b);
    return { p50: round(percentile(samples, 50), 2), p99: round(percentile(samples, 99), 2) };
  };
  const without = await time((userId) => store.getDetail(userId));
  const withPointer = await time(async (userId) => {
    await registry.liveVersion();
    return store.getDetail(userId);
  });
  return { without, withPointer, p50Ratio: round(withPointer.p50 / without.p50) };
};
