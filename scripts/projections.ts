// `npm run projections -- status | build <v> | switch <v> | drop <v> [--stage local]
//   [--region R] [--endpoint URL] [--drain-seconds 12] [--lease-seconds 30] [--delete-tables]`
// Projection versions side by side (docs/projections.md): build one beside the live version,
// switch the queries to it once it has caught up, switch back, drop the one no longer wanted.
import './require-node.cjs';
import { parseArgs } from 'node:util';
import {
  isProjectionVersion,
  PROJECTION_VERSIONS,
} from '../services/query-service/src/projections';
import { stageConfig } from './local-stack/tables';
import { stageProjections } from './projections/stage-projections';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    stage: { type: 'string', default: 'local' },
    region: { type: 'string' },
    endpoint: { type: 'string' },
    'drain-seconds': { type: 'string', default: '12' },
    'lease-seconds': { type: 'string', default: '30' },
    'delete-tables': { type: 'boolean', default: false },
  },
});

const USAGE = 'usage: npm run projections -- status | build <v> | switch <v> | drop <v>';

const main = async () => {
  const [command, argument] = positionals;
  const stage = values.stage as string;
  const config = stageConfig(stage, values);
  const localEndpoint =
    values.endpoint ??
    (stage === 'local' ? `http://localhost:${process.env.DYNAMODB_PORT ?? '8000'}` : undefined);
  const projections = stageProjections(config, {
    drainMs: Number(values['drain-seconds']) * 1000,
    leaseMs: Number(values['lease-seconds']) * 1000,
    localEndpoint,
    log: (message) => console.log(message),
  });
  if (command === 'status') {
    const { rows } = await projections.status();
    for (const row of rows) {
      const state = row.live
        ? 'live'
        : row.switching
          ? `${row.state}, switch prepared (or interrupted: run switch ${row.version} again to finish or refuse it)`
          : row.behind
            ? `behind since ${row.behind.at} (${row.behind.reason}): build it again`
            : row.state;
      const lease =
        row.lease && row.lease.until > Date.now()
          ? `, build under way (${row.lease.owner}): ${row.progress?.users ?? 0} users, ${row.progress?.events ?? 0} events`
          : '';
      const position = row.comparison
        ? `, ${row.comparison.users - row.comparison.behind} of ${row.comparison.users} users caught up${row.comparison.behind > 0 ? ` (${row.comparison.examples.join(', ')})` : ''}`
        : '';
      const built = row.built ? `, built ${row.built.at} from ${row.built.events} events` : '';
      console.log(`version ${row.version}: ${state}${lease}${position}${built}`);
    }
    return;
  }
  const version = Number(argument);
  if (!['build', 'switch', 'drop'].includes(command ?? '') || !isProjectionVersion(version)) {
    throw new Error(`${USAGE} (versions this code knows: ${PROJECTION_VERSIONS.join(', ')})`);
  }
  if (command === 'build') {
    const report = await projections.build(version);
    console.log(
      `Version ${version} is ready: ${report.users} users from ${report.events} events. Next: npm run projections -- switch ${version}`,
    );
  } else if (command === 'switch') {
    const { from, to, users } = await projections.switchTo(version);
    console.log(
      `Queries read version ${to} now (was ${from}; ${users} users checked). Switch back: npm run projections -- switch ${from}`,
    );
  } else {
    const { tablesDeleted } = await projections.drop(version, {
      deleteTables: values['delete-tables'] as boolean,
    });
    console.log(
      tablesDeleted
        ? `Version ${version} is dropped, its tables deleted.`
        : version === 1
          ? 'Version 1 is no longer written. Its tables belong to the query stack and are kept.'
          : `Version ${version} is no longer written. Its tables are kept: remove ${version} from projectionVersions, deploy, then run drop again with --delete-tables.`,
    );
  }
};

main().catch((error) => {
  console.error(`projections: ${error.message}`);
  process.exitCode = 1;
});
