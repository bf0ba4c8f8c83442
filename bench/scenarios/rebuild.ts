import { paginateScan } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '@users/shared/dynamo';
import { runCommand } from '../../scripts/local-stack/processes';
import { createTables, deleteTables, stageTableNames } from '../../scripts/local-stack/tables';
import { benchDataKeys, onOwnDynamoDbLocal, sealedHistoryItems, writeItems } from '../fixtures';
import { median, round } from '../stats';

const ROOT = `${__dirname}/../..`;
const STAGE = 'bench';
const SEGMENTS = 4;

const STAGE_TABLES = [
  'EventsTable',
  'DataKeysTable',
  'UserDetailTable',
  'UserHistoryTable',
] as const;
const createStageTables = (endpoint: string) =>
  createTables(endpoint, STAGE_TABLES, { names: stageTableNames(STAGE, STAGE_TABLES) });

type RebuildSize = { users: number; eventsPerUser: number; rounds: number };

/**
 * `npm run rebuild` over a store of `users` x `eventsPerUser` events, against the raw floor: a
 * parallel Scan of the same table plus BatchWriteItem of as many items. Runs on a DynamoDB Local
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
    const rawRates: number[] = [];
    for (let round = 0; round < rounds; round++) {
      let t0 = performance.now();
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
    };
  } finally {
    await deleteTables(endpoint, { ...tables, ...scratch });
  }
};
