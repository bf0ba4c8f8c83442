// `npm run rebuild [-- --stage local] [--region us-east-1] [--segments 4] [--endpoint URL]`
// Rebuilds every read model of a stage from its event store (read-only on the store).
import { parseArgs } from 'node:util';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { SingleBar } from 'cli-progress';
import { DynamoEventScan } from '../services/query-service/src/infrastructure/dynamo-event-scan';
import { DynamoReadModels } from '../services/query-service/src/infrastructure/dynamo-read-models';
import { rebuildReadModels } from '../services/query-service/src/rebuild/rebuild-read-models';
import { stageConfig } from './stage-config';

const { values } = parseArgs({
  options: {
    stage: { type: 'string', default: 'local' },
    region: { type: 'string' },
    segments: { type: 'string', default: '4' },
    endpoint: { type: 'string' },
  },
});
const stage = values.stage as string;
const { client, eventsTable, readModelTables } = stageConfig(stage, values);

const main = async () => {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: eventsTable }));
  const estimate = Table?.ItemCount ?? 0;
  const startedAt = Date.now();
  const eventsPerSecond = (events: number) =>
    Math.round(events / Math.max(0.001, (Date.now() - startedAt) / 1000));
  const bar = new SingleBar({
    format: 'Rebuilding {stage} |{bar}| {value}/{total} events | {speed} events/s | {users} users',
    noTTYOutput: true,
    notTTYSchedule: 2000,
  });
  bar.start(Math.max(estimate, 1), 0, { stage, speed: 0, users: 0 });

  const report = await rebuildReadModels(
    new DynamoEventScan(client, eventsTable, {
      segments: Number(values.segments),
      usersInFlight: 4,
    }),
    new DynamoReadModels(client, readModelTables),
    ({ events, users }) => {
      if (events > bar.getTotal()) bar.setTotal(events);
      bar.update(events, { speed: eventsPerSecond(events), users });
    },
  );
  bar.setTotal(Math.max(report.events, 1));
  bar.update(report.events, { speed: eventsPerSecond(report.events), users: report.users });
  bar.stop();

  const seconds = (Date.now() - startedAt) / 1000;
  console.log(
    `Rebuilt ${report.users} users from ${report.events} events in ${seconds.toFixed(1)} s (${eventsPerSecond(report.events)} events/s).`,
  );
  if (report.failedUsers.length > 0) {
    console.error(
      `${report.failedUsers.length} user(s) could not be rebuilt:\n  ${report.failedUsers.join('\n  ')}`,
    );
    process.exitCode = 1;
  }
};

main().catch((error) => {
  console.error(`Rebuild failed: ${error.message}`);
  process.exitCode = 1;
});
