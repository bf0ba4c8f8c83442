import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { SingleBar } from 'cli-progress';
import type { ReadModelRestorer } from '../services/query-service/src/application/ports';
import {
  type RebuildReport,
  rebuildReadModels,
} from '../services/query-service/src/application/rebuild-read-models';
import { DynamoEventScan } from '../services/query-service/src/infrastructure/dynamo-event-scan';
import { DynamoReadModelStore } from '../services/query-service/src/infrastructure/dynamo-read-model-store';
import type { StageConfig } from './local-stack/tables';

/**
 * Rebuilds every read model of a stage from its event store (read-only on the store), showing a
 * progress bar with events/s; resolves with the report and the time it took. `into` another
 * projection version's read models, `onProgress` told (and able to stop it by throwing).
 */
export const rebuildWithProgress = async (
  { client, eventsTable, readModelTables, keys }: StageConfig,
  {
    label,
    segments = 4,
    into = new DynamoReadModelStore(client, readModelTables),
    onProgress = () => {},
  }: {
    label: string;
    segments?: number;
    into?: ReadModelRestorer;
    onProgress?: (report: RebuildReport) => void;
  },
) => {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: eventsTable }));
  const startedAt = Date.now();
  const eventsPerSecond = (events: number) =>
    Math.round(events / Math.max(0.001, (Date.now() - startedAt) / 1000));
  const bar = new SingleBar({
    format: `Rebuilding ${label} |{bar}| {value}/{total} events | {speed} events/s | {users} users`,
    noTTYOutput: true,
    notTTYSchedule: 2000,
  });
  bar.start(Math.max(Table?.ItemCount ?? 0, 1), 0, { speed: 0, users: 0 });
  const report = await rebuildReadModels(
    new DynamoEventScan(client, eventsTable, { segments, usersInFlight: 4 }),
    into,
    keys,
    (report) => {
      onProgress(report);
      const { events, users } = report;
      if (events > bar.getTotal()) bar.setTotal(events);
      bar.update(events, { speed: eventsPerSecond(events), users });
    },
  );
  bar.setTotal(Math.max(report.events, 1));
  bar.update(report.events, { speed: eventsPerSecond(report.events), users: report.users });
  bar.stop();
  return {
    ...report,
    seconds: (Date.now() - startedAt) / 1000,
    eventsPerSecond: eventsPerSecond(report.events),
  };
};
