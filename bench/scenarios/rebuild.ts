import { paginateScan } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '@users/shared/dynamo';
import { startDynamoDbLocal } from '../../test/support/dynamodb-local';
import { runCommand, stopProcessGroup } from '../../test/support/processes';
import { createTablesFrom, deleteTables } from '../../test/support/tables';
import { userHistoryItems, writeItems } from '../fixtures';
import { median, round } from '../stats';

const ROOT = `${__dirname}/../..`;
const STAGE = 'bench';
const SEGMENTS = 4;

const createStageTables = async (endpoint: string) => ({
  ...(await createTablesFrom('services/command-service/serverless/resources.yml', ['EventsTable'], {
    endpoint,
    names: { EventsTable: `users-${STAGE}-events` },
  })),
  ...(await createTablesFrom(
    'services/query-service/serverless/resources.yml',
    ['UserDetailTable', 'UserHistoryTable'],
    {
      endpoint,
      names: {
        UserDetailTable: `users-${STAGE}-user-detail`,
        UserHistoryTable: `users-${STAGE}-user-history`,
      },
    },
  )),
});

type RebuildSize = { users: number; eventsPerUser: number; rounds: number };

/**
 * `npm run rebuild` over a store of `users` x `eventsPerUser` events, against the raw floor: a
 * parallel Scan of the same table plus BatchWriteItem of as many items. Runs on a DynamoDB Local
 * of its own: one that already holds the other scenarios' data writes far slower.
 */
export const rebuild = async ({ port, ...size }: RebuildSize & { port: number }) => {
  const dynamodb = await startDynamoDbLocal(port);
  try {
    return await rebuildOn(dynamodb.endpoint, size);
  } finally {
    await stopProcessGroup(dynamodb.process, 'SIGKILL');
  }
};

const rebuildOn = async (endpoint: string, { users, eventsPerUser, rounds }: RebuildSize) => {
  const client = createDocumentClient({ endpoint });
  const tables = await createStageTables(endpoint);
  const scratch = await createTablesFrom(
    'services/query-service/serverless/resources.yml',
    ['UserHistoryTable'],
    { endpoint },
  );
  const events = users * eventsPerUser;
  try {
    const items = Array.from({ length: users }, (_, i) =>
      userHistoryItems(`rebuild-${i}`, eventsPerUser),
    ).flat();
    await writeItems(client, tables.EventsTable, items);

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
        { cwd: ROOT },
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
    await deleteTables({ ...tables, ...scratch }, endpoint);
  }
};
