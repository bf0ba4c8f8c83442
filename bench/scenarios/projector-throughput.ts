import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { paginateScan } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '@users/shared/dynamo';
import { STATE_DIR } from '../../scripts/local-stack/paths';
import { startLocalStack } from '../../scripts/local-stack/stack';
import { createTables, tableNames } from '../../scripts/local-stack/tables';
import { benchDataKeys, sealedHistoryItems, writeItems } from '../fixtures';
import { round } from '../stats';

const PORTS = { http: 3300, lambda: 3302, dynamodb: 8400, localAws: 3304 };
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Burst = { users: number; eventsPerUser: number };

/** How many users' details have reached `version`. */
const usersAt = async (
  client: ReturnType<typeof createDocumentClient>,
  table: string,
  version: number,
) => {
  let count = 0;
  for await (const page of paginateScan(
    { client },
    { TableName: table, ProjectionExpression: 'Version', ConsistentRead: true },
  )) {
    count += (page.Items ?? []).filter((item) => item.Version === version).length;
  }
  return count;
};

/**
 * A burst of `users` x `eventsPerUser` events written straight into the event table of a fresh
 * stack, users interleaved as live traffic would be: how long the stream projector takes until
 * every detail is current, against BatchWriteItem of as many items on the same DynamoDB Local.
 */
export const projectorThroughput = async ({ users, eventsPerUser }: Burst) => {
  const logFile = join(STATE_DIR, 'bench-projector.log');
  rmSync(logFile, { force: true });
  const stack = await startLocalStack({
    ports: PORTS,
    checkpointFile: join(STATE_DIR, 'bench-projector-checkpoints.json'),
    output: { logFile },
    env: { LOG_LEVEL: 'WARN' },
  });
  try {
    const { endpoint } = stack;
    const client = createDocumentClient({ endpoint });
    const names = tableNames('local');
    const keys = benchDataKeys(endpoint, `http://localhost:${PORTS.localAws}`, names.dataKeys);
    const histories = await Promise.all(
      Array.from({ length: users }, (_, i) =>
        sealedHistoryItems(keys, `burst-${i}`, eventsPerUser),
      ),
    );
    const byVersion = Array.from({ length: eventsPerUser }, (_, v) =>
      histories.map((history) => history[v] as Record<string, unknown>),
    );
    const items = byVersion.flat();
    const events = items.length;

    const started = performance.now();
    // Version after version, as the command service appends: never one before the one it follows.
    for (const version of byVersion) await writeItems(client, names.events, version);
    const writtenSeconds = (performance.now() - started) / 1000;
    const deadline = started + 30 * 60_000;
    while ((await usersAt(client, names.detail, eventsPerUser)) < users) {
      if (performance.now() > deadline)
        throw new Error('the projector did not catch up in 30 minutes');
      await pause(250);
    }
    const currentSeconds = (performance.now() - started) / 1000;

    const scratch = await createTables(endpoint, ['UserHistoryTable']);
    const copies = items.map(({ AggregateID, Sequence, ...rest }) => ({
      UserID: AggregateID,
      Sequence,
      ...rest,
    }));
    const rawStarted = performance.now();
    await writeItems(client, scratch.UserHistoryTable, copies);
    const rawPerSecond = events / ((performance.now() - rawStarted) / 1000);
    return {
      events,
      users,
      writtenSeconds: round(writtenSeconds, 1),
      allCurrentSeconds: round(currentSeconds, 1),
      eventsPerSecond: round(events / currentSeconds, 0),
      rawBatchWritePerSecond: round(rawPerSecond, 0),
      ratio: round(events / currentSeconds / rawPerSecond),
    };
  } finally {
    await stack.stop();
  }
};
