// `npm run rebuild [-- --stage local] [--region us-east-1] [--segments 4] [--endpoint URL]
//   [--events-table NAME] [--data-keys-table NAME]`
// Rebuilds every read model of a stage (each projection version the projector writes) from its
// event store (read-only on the store), or from another copy of it, opened with the keys of the stage it came from (a point-in-time restore:
// docs/operations.md).
import './require-node.cjs';
import { parseArgs } from 'node:util';
import { stageConfig } from './local-stack/tables';
import { repairedVersions, repairingRestorer } from './projections/stage-projections';
import { rebuildWithProgress } from './rebuild-with-progress';

const { values } = parseArgs({
  options: {
    stage: { type: 'string', default: 'local' },
    region: { type: 'string' },
    segments: { type: 'string', default: '4' },
    endpoint: { type: 'string' },
    'events-table': { type: 'string' },
    'data-keys-table': { type: 'string' },
  },
});

const main = async () => {
  const stage = values.stage as string;
  const config = stageConfig(stage, { ...values, dataKeysTable: values['data-keys-table'] });
  const eventsTable = values['events-table'] ?? config.eventsTable;
  // Every projection version whose tables are kept, each user written into all of them in write
  // order (a switch's target first: docs/projections.md).
  const versions = await repairedVersions(config);
  const report = await rebuildWithProgress(
    { ...config, eventsTable },
    {
      label: `${stage}, projection versions ${versions.join(', ')}`,
      segments: Number(values.segments),
      into: repairingRestorer(config),
    },
  );
  console.log(
    `Rebuilt version${versions.length > 1 ? 's' : ''} ${versions.join(', ')}: ${report.users} users from ${report.events} events in ${report.seconds.toFixed(1)} s (${report.eventsPerSecond} events/s).`,
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
